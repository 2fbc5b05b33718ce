using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>Twilio's documented Media Streams messages, and helpers to compare and sign.</summary>
internal static class TwilioTestData
{
    public const string StreamSid = "MZ18ad3ab5a668481ce02b83e7395059f0";
    public const string CallSid = "CA2ff2bd4fe1a6c2acaca2ecf6e9fd0fd6";
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";

    /// <summary>160 bytes of mu-law whose base64 contains both '+' and '/'.</summary>
    public static readonly byte[] Frame = [.. Enumerable.Range(0, 160).Select(i => (byte)(255 - (i * 13 % 256)))];

    public static string FrameBase64 => Convert.ToBase64String(Frame);

    public static string ConnectedJson => """{"event":"connected","protocol":"Call","version":"1.0.0"}""";

    public static string StartJson => $$$"""
        {"event":"start","sequenceNumber":"1","start":{"accountSid":"{{{AccountSid}}}","streamSid":"{{{StreamSid}}}",
        "callSid":"{{{CallSid}}}","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},
        "customParameters":{"From":"+15550001111","tenant":"acme"}},"streamSid":"{{{StreamSid}}}"}
        """;

    public static string MediaJson(string payload, long sequence = 3, long chunk = 1, long timestamp = 5) => $$$"""
        {"event":"media","sequenceNumber":"{{{sequence}}}","media":{"track":"inbound","chunk":"{{{chunk}}}","timestamp":"{{{timestamp}}}","payload":"{{{payload}}}"},"streamSid":"{{{StreamSid}}}"}
        """;

    public static string DtmfJson => $$$"""{"event":"dtmf","streamSid":"{{{StreamSid}}}","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}""";

    public static string MarkJson => $$$"""{"event":"mark","sequenceNumber":"4","streamSid":"{{{StreamSid}}}","mark":{"name":"my label"}}""";

    public static string StopJson => $$$"""{"event":"stop","sequenceNumber":"5","streamSid":"{{{StreamSid}}}","stop":{"accountSid":"{{{AccountSid}}}","callSid":"{{{CallSid}}}"}}""";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Asserts two JSON texts are equal as JSON values (property order and escaping aside).</summary>
    public static void AssertJsonEqual(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");

    /// <summary>Twilio's signing scheme, written out independently of the SDK under test.</summary>
    public static string Sign(string token, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        foreach ((string name, string value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString())));
    }
}
