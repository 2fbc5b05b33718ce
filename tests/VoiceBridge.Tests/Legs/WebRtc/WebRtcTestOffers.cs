using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>Offers for the WebRTC tests: Chromium's real ones (recorded from headless Chromium 156) and a minimal hand-written one.</summary>
internal static class WebRtcTestOffers
{
    /// <summary>Chromium 156's audio-only offer after ICE gathering (CRLF, eight host candidates).</summary>
    public static string Chromium => File.ReadAllText(Fixture("chromium-offer.sdp"));

    /// <summary>Chromium 156's offer for audio and video in one BUNDLE group.</summary>
    public static string ChromiumWithVideo => File.ReadAllText(Fixture("chromium-offer-audio-video.sdp"));

    /// <summary>The least a browser-like offer needs, with ICE and fingerprint at session level and no candidates (trickle before gathering).</summary>
    public const string Minimal =
        "v=0\r\n" +
        "o=- 1 2 IN IP4 127.0.0.1\r\n" +
        "s=-\r\n" +
        "t=0 0\r\n" +
        "a=group:BUNDLE a\r\n" +
        "a=ice-ufrag:abcd\r\n" +
        "a=ice-pwd:0123456789abcdefghijkl\r\n" +
        "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 101\r\n" +
        "c=IN IP4 0.0.0.0\r\n" +
        "a=mid:a\r\n" +
        "a=setup:actpass\r\n" +
        "a=rtcp-mux\r\n" +
        "a=rtpmap:111 OPUS/48000/2\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n";

    /// <summary><paramref name="offer"/> without the lines that start with <paramref name="prefix"/>.</summary>
    public static string Without(this string offer, string prefix) =>
        string.Join("\r\n", offer.Split("\r\n").Where(line => !line.StartsWith(prefix, StringComparison.Ordinal)));

    /// <summary><paramref name="offer"/> with the first line starting with <paramref name="prefix"/> replaced.</summary>
    public static string ReplaceLine(this string offer, string prefix, string line)
    {
        string[] lines = offer.Split("\r\n");
        int index = Array.FindIndex(lines, l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no line starts with {prefix}");
        lines[index] = line;
        return string.Join("\r\n", lines);
    }

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Legs", "WebRtc", "Fixtures", name);
}
