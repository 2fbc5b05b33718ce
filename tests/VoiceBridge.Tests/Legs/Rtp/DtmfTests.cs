using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Tests.Legs.Rtp;

public sealed class DtmfTests
{
    [Fact]
    public void Payload_round_trips_with_rfc_4733_layout()
    {
        var payload = new byte[4];

        Dtmf4733.Write(payload, '#', end: true, volume: 10, duration: 800);

        Assert.Equal([11, 0x80 | 10, 0x03, 0x20], payload);
        Assert.True(Dtmf4733.TryParse(payload, 4000, out DtmfEvent e, out string? error));
        Assert.Null(error);
        Assert.Equal(new DtmfEvent('#', true, 10, 800, 4000), e);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "3 bytes")]
    [InlineData(new byte[] { 16, 0, 0, 160 }, "not a DTMF digit")]
    [InlineData(new byte[] { }, "0 bytes")]
    public void Bad_payloads_give_a_reason(byte[] payload, string expected)
    {
        Assert.False(Dtmf4733.TryParse(payload, 0, out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_digit_maps_to_its_event_code()
    {
        const string digits = "0123456789*#ABCD";
        var payload = new byte[4];
        for (int code = 0; code < digits.Length; code++)
        {
            Dtmf4733.Write(payload, digits[code], false, 0, 160);
            Assert.Equal(code, payload[0]);
            Assert.True(Dtmf4733.TryParse(payload, 0, out DtmfEvent e, out _));
            Assert.Equal(digits[code], e.Digit);
        }

        Assert.Throws<ArgumentException>(() => Dtmf4733.Write(payload, 'x', false, 0, 0));
    }

    [Fact]
    public void Receiver_reports_each_event_once_across_updates_and_repeated_ends()
    {
        var receiver = new DtmfReceiver();
        var digits = new List<char>();
        DtmfEvent[] packets =
        [
            new('1', false, 10, 160, 1000), new('1', false, 10, 320, 1000), new('1', true, 10, 480, 1000), new('1', true, 10, 480, 1000), new('1', true, 10, 480, 1000),
            new('1', false, 10, 160, 3000), new('1', true, 10, 320, 3000), // the same digit again is a new event
            new('5', true, 10, 800, 5000), // only an end packet survived
            new('9', false, 10, 160, 7000), new('9', false, 10, 320, 7000), // end packets all lost
            new('5', true, 10, 800, 5000), // a straggler of an earlier event
            new('0', false, 10, 160, 9000),
        ];

        foreach (DtmfEvent packet in packets)
        {
            if (receiver.OnPacket(packet, out char digit))
            {
                digits.Add(digit);
            }
        }

        Assert.Equal(['1', '1', '5', '9', '0'], digits);
    }

    [Fact]
    public void Sender_yields_start_updates_and_three_ends_on_one_timestamp()
    {
        var sender = new DtmfSender(durationMs: 100);
        sender.Start('7', 123456);
        var payload = new byte[4];
        var packets = new List<(bool Marker, uint Timestamp, DtmfEvent Event)>();

        while (sender.TryNextPacket(payload, out bool marker, out uint timestamp))
        {
            Assert.True(Dtmf4733.TryParse(payload, timestamp, out DtmfEvent e, out _));
            packets.Add((marker, timestamp, e));
        }

        Assert.Equal([true, false, false, false, false, false, false], packets.Select(p => p.Marker));
        Assert.All(packets, p => Assert.Equal(123456u, p.Timestamp));
        Assert.All(packets, p => Assert.Equal('7', p.Event.Digit));
        Assert.Equal([160, 320, 480, 640, 800, 800, 800], packets.Select(p => p.Event.Duration));
        Assert.Equal([false, false, false, false, true, true, true], packets.Select(p => p.Event.End));
        Assert.False(sender.IsActive);
    }

    [Fact]
    public void Sent_digits_are_received_once()
    {
        var sender = new DtmfSender(durationMs: 60);
        var receiver = new DtmfReceiver();
        var payload = new byte[4];
        var received = new List<char>();
        uint clock = 0;
        foreach (char digit in "12#")
        {
            sender.Start(digit, clock);
            while (sender.TryNextPacket(payload, out _, out uint timestamp))
            {
                clock += 160;
                Assert.True(Dtmf4733.TryParse(payload, timestamp, out DtmfEvent e, out _));
                if (receiver.OnPacket(e, out char got))
                {
                    received.Add(got);
                }
            }
        }

        Assert.Equal(['1', '2', '#'], received);
    }
}
