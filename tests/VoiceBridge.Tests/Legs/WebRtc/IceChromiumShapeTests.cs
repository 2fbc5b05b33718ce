using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Transport;
using static VoiceBridge.Tests.Legs.WebRtc.IceLiteAgentTests;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>
/// A nominating check laid out as Chromium sends it (p2p Connection's Binding request: USERNAME,
/// GOOG-NETWORK-INFO, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT;
/// a 12-character random ASCII transaction id), with the credentials of the Chromium offer fixture.
/// </summary>
public sealed class IceChromiumShapeTests
{
    /// <summary>The request up to MESSAGE-INTEGRITY, byte for byte; the length field is completed when signing.</summary>
    private static readonly byte[] ChromiumCheckUnsigned = StunTestVectors.Hex("""
        00 01 00 34 21 12 a4 42
        4a 6f 52 77 4b 2b 58 31 67 6d 71 41
        00 06 00 0d 68 37 46 74 39 77 51 7a 3a 45 75 77 5a 00 00 00
        c0 57 00 04 00 03 00 32
        80 2a 00 08 5e 1d 2c 7b 9a 40 31 f2
        00 25 00 00
        00 24 00 04 6e 7f 1e ff
        """);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void The_fixture_offer_carries_the_remote_credentials_used_here()
    {
        string offer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Legs", "WebRtc", "Fixtures", "chromium-offer.sdp"));
        Assert.Contains($"a=ice-ufrag:{RemoteUfrag}", offer, StringComparison.Ordinal);
        Assert.Contains($"a=ice-pwd:{RemotePassword}", offer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.0.2.2", 37043)]
    [InlineData("::1", 55739)]
    public void Chromium_nominating_check_is_answered_and_nominates(string address, int port)
    {
        var agent = new IceLiteAgent(LocalUfrag, LocalPassword, RemoteUfrag, RemotePassword, _time);
        var from = new IPEndPoint(IPAddress.Parse(address), port);
        byte[] request = StunVectorTests.AppendIntegrityAndFingerprint(ChromiumCheckUnsigned, Encoding.ASCII.GetBytes(LocalPassword));
        Assert.Equal(104, request.Length);
        Assert.Equal(PacketKind.Stun, PacketDemux.Classify(request));

        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(request, out StunMessage? parsed, out _));
        Assert.Equal(0x5E1D2C7B9A4031F2ul, parsed!.IceControlling);
        Assert.True(parsed.UseCandidate);
        Assert.Equal(0x6E7F1EFFu, parsed.Priority);
        Assert.True(parsed.UnknownRequiredAttributes.IsEmpty);

        var response = new byte[IceLiteAgent.MinResponseBuffer];
        int length = agent.Handle(request, from, response);

        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(response.AsSpan(0, length), out StunMessage? answer, out _));
        Assert.Equal(StunClass.SuccessResponse, answer!.Class);
        Assert.Equal("JoRwK+X1gmqA"u8.ToArray(), answer.TransactionId.ToArray());
        Assert.Equal(from, answer.XorMappedAddress);
        Assert.True(StunParser.VerifyIntegrity(response.AsSpan(0, length), answer, Encoding.ASCII.GetBytes(LocalPassword)));
        Assert.True(answer.FingerprintValid);
        Assert.Equal(from, agent.Selected);
        Assert.Equal(1, agent.Counters.Nominations);
    }

    /// <summary>The agent behind a socket of the in-memory UDP network, as the leg will run it: demultiplex, answer, send back.</summary>
    [Fact]
    public async Task Check_over_the_in_memory_network_is_answered_to_its_sender()
    {
        var network = new InMemoryDatagramNetwork();
        await using IDatagramSocket server = network.Bind(new IPEndPoint(IPAddress.Loopback, 50000));
        await using IDatagramSocket browser = network.Bind(new IPEndPoint(IPAddress.Loopback, 44903));
        var agent = new IceLiteAgent(LocalUfrag, LocalPassword, RemoteUfrag, RemotePassword, _time);
        var nominated = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.Nominated += remote => nominated.TrySetResult(remote);
        var answered = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var response = new byte[IceLiteAgent.MinResponseBuffer];

        Task serverLoop = server.ReceiveAsync(
            (datagram, from) =>
            {
                if (PacketDemux.Classify(datagram) == PacketKind.Stun && agent.Handle(datagram, from, response) is var length and > 0)
                {
                    server.Send(response.AsSpan(0, length), from);
                }
            },
            stop.Token);
        Task browserLoop = browser.ReceiveAsync((datagram, _) => answered.TrySetResult(datagram.ToArray()), stop.Token);

        browser.Send([0x80, 0x00, 0x00, 0x01], server.LocalEndPoint); // RTP before ICE completes: not STUN, ignored
        browser.Send(StunVectorTests.AppendIntegrityAndFingerprint(ChromiumCheckUnsigned, Encoding.ASCII.GetBytes(LocalPassword)), server.LocalEndPoint);

        byte[] reply = await answered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(browser.LocalEndPoint, await nominated.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(reply, out StunMessage? answer, out _));
        Assert.Equal(browser.LocalEndPoint, answer!.XorMappedAddress);
        Assert.Equal(1, agent.Counters.Received);

        await stop.CancelAsync();
        await Task.WhenAll(serverLoop, browserLoop);
    }
}
