using System.Globalization;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Legs.Sip.Interop;

/// <summary>
/// RTP read off the loopback wire by tshark (a capture, then its RTP fields), independent of our
/// own parser: which SSRCs went from a port, their sequence numbers, timestamps and payloads.
/// </summary>
internal sealed class RtpCapture
{
    private RtpCapture(IReadOnlyList<Packet> packets) => Packets = packets;

    public IReadOnlyList<Packet> Packets { get; }

    /// <summary>Starts tshark capturing UDP on lo into <paramref name="pcap"/> for at most <paramref name="seconds"/>, and waits until it captures.</summary>
    public static async Task<ExternalTool> StartAsync(string pcap, int seconds)
    {
        var tshark = ExternalTool.Start("tshark", ["-i", "lo", "-f", "udp", "-B", "32", "-w", pcap, "-a", $"duration:{seconds}"]);
        if (!await tshark.WaitForOutputAsync("Capturing on", TimeSpan.FromSeconds(20)))
        {
            await tshark.DisposeAsync();
            throw new InvalidOperationException($"tshark did not start capturing on lo: {tshark.Output}");
        }

        return tshark;
    }

    /// <summary>The RTP packets of <paramref name="pcap"/> sent from <paramref name="sourcePort"/> (decoded as RTP by port).</summary>
    public static async Task<RtpCapture> ReadAsync(string pcap, int sourcePort)
    {
        await using var tshark = ExternalTool.Start("tshark",
        [
            "-r", pcap, "-d", $"udp.port=={sourcePort},rtp", "-Y", $"rtp && udp.srcport=={sourcePort}",
            "-T", "fields", "-e", "rtp.ssrc", "-e", "rtp.seq", "-e", "rtp.timestamp", "-e", "rtp.payload", "-E", "separator=,",
        ]);
        await tshark.WaitAsync(TimeSpan.FromSeconds(60));
        var packets = new List<Packet>();
        foreach (var line in tshark.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Trim().Split(',');
            if (f.Length < 4 || !f[0].StartsWith("0x", StringComparison.Ordinal))
            {
                continue;
            }

            packets.Add(new Packet(
                uint.Parse(f[0][2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ushort.Parse(f[1], CultureInfo.InvariantCulture),
                uint.Parse(f[2], CultureInfo.InvariantCulture),
                Convert.FromHexString(f[3].Replace(":", "", StringComparison.Ordinal))));
        }

        return new RtpCapture(packets);
    }

    /// <summary>Sequence steps that were not +1 and timestamp steps that were not +160, over the whole stream in capture order.</summary>
    public (int SequenceGaps, int TimestampJumps) Continuity()
    {
        var gaps = 0;
        var jumps = 0;
        for (var i = 1; i < Packets.Count; i++)
        {
            gaps += Packets[i].Sequence == (ushort)(Packets[i - 1].Sequence + 1) ? 0 : 1;
            jumps += Packets[i].Timestamp == Packets[i - 1].Timestamp + CallClock.FrameSamples ? 0 : 1;
        }

        return (gaps, jumps);
    }

    /// <summary>The stream's audio as 8 kHz PCM (PCMU payloads).</summary>
    public short[] Audio()
    {
        var pcm = new short[Packets.Sum(p => p.Payload.Length)];
        var at = 0;
        foreach (var packet in Packets)
        {
            G711.MuLawDecode(packet.Payload, pcm.AsSpan(at, packet.Payload.Length));
            at += packet.Payload.Length;
        }

        return pcm;
    }

    public sealed record Packet(uint Ssrc, ushort Sequence, uint Timestamp, byte[] Payload);
}
