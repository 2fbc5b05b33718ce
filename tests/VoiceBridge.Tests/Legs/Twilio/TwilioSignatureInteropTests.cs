using System.Diagnostics;
using System.Text.Json;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>Our verifier accepts signatures made by the real npm <c>twilio</c> package (pinned in tests/VoiceBridge.Tests/node).</summary>
[Trait("Category", "Interop")]
public sealed class TwilioSignatureInteropTests
{
    private const string Token = "12345678901234567890123456789012";

    [Theory]
    [InlineData("https://example.com", "https://example.com/twilio/voice", "/twilio/voice")]
    [InlineData("https://example.com", "https://example.com:443/twilio/voice", "/twilio/voice")]
    [InlineData("https://example.com:443", "https://example.com/twilio/voice", "/twilio/voice")]
    [InlineData("https://example.com/bridge", "https://example.com/bridge/twilio/voice?tenant=a%20b", "/twilio/voice?tenant=a%20b")]
    public async Task Webhook_signed_by_twilio_node_is_accepted_and_tampering_is_rejected(string baseUrl, string signedUrl, string pathAndQuery)
    {
        var form = new Dictionary<string, string>
        {
            ["CallSid"] = "CA123",
            ["From"] = "+15550001111",
            ["Body"] = "héllo & 'quotes' = ünïcode ☎",
            ["empty"] = "",
        };
        var verifier = new TwilioSignatureVerifier(new TwilioOptions { AuthToken = Token, PublicBaseUrl = baseUrl });

        string signature = await SignWithNodeAsync(signedUrl, form);

        Assert.True(verifier.IsValid(pathAndQuery, form, signature));
        Assert.False(verifier.IsValid(pathAndQuery, form, Tamper(signature)));
        Assert.False(verifier.IsValid(pathAndQuery, new Dictionary<string, string>(form) { ["Body"] = "hello" }, signature));
    }

    [Fact]
    public async Task WebSocket_upgrade_signed_by_twilio_node_is_accepted()
    {
        var verifier = new TwilioSignatureVerifier(new TwilioOptions { AuthToken = Token, PublicBaseUrl = "https://example.com" });

        string signature = await SignWithNodeAsync("wss://example.com/twilio/media", new Dictionary<string, string>());

        Assert.True(verifier.IsValidWebSocket("/twilio/media", signature));
        Assert.False(verifier.IsValidWebSocket("/twilio/media", Tamper(signature)));
    }

    private static string Tamper(string signature) => (signature[0] == 'A' ? "B" : "A") + signature[1..];

    private static async Task<string> SignWithNodeAsync(string url, Dictionary<string, string> parameters)
    {
        string nodeDir = NodeDirectory();
        Assert.True(
            Directory.Exists(Path.Combine(nodeDir, "node_modules", "twilio")),
            "npm package 'twilio' is not installed: run `npm ci --prefix tests/VoiceBridge.Tests/node` from the repository root.");

        var start = new ProcessStartInfo("node") { WorkingDirectory = nodeDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "sign.js", Token, url, JsonSerializer.Serialize(parameters) })
        {
            start.ArgumentList.Add(argument);
        }

        using Process node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        Task<string> stdout = node.StandardOutput.ReadToEndAsync();
        Task<string> stderr = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, $"node sign.js failed ({node.ExitCode}): {await stderr}");
        return (await stdout).Trim();
    }

    /// <summary>The node helper beside the sources (found from the repository root, so any artifacts path works).</summary>
    private static string NodeDirectory()
    {
        string candidate = Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "node");
        return File.Exists(Path.Combine(candidate, "sign.js"))
            ? candidate
            : throw new InvalidOperationException($"{candidate}/sign.js not found");
    }
}
