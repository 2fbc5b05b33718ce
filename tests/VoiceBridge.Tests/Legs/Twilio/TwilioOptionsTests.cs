using VoiceBridge.Legs.Twilio;

namespace VoiceBridge.Tests.Legs.Twilio;

public sealed class TwilioOptionsTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData(null, "http://localhost:5000")]
    [InlineData("secret", "https://bridge.example.com")]
    [InlineData("secret", "https://bridge.example.com:8443/prefix/")]
    public void Usable_settings_have_no_errors(string? token, string? baseUrl)
    {
        Assert.Empty(new TwilioOptions { AuthToken = token, PublicBaseUrl = baseUrl }.Validate());
    }

    [Theory]
    [InlineData("secret", null, "Twilio:PublicBaseUrl is required when Twilio:AuthToken is set")]
    [InlineData("  ", "https://x.example", "Twilio:AuthToken is blank")]
    [InlineData(null, "bridge.example.com", "Twilio:PublicBaseUrl 'bridge.example.com' must be an absolute http or https URL")]
    [InlineData(null, "wss://bridge.example.com", "Twilio:PublicBaseUrl 'wss://bridge.example.com' must be")]
    [InlineData(null, "https://bridge.example.com/?a=1", "Twilio:PublicBaseUrl 'https://bridge.example.com/?a=1' must be")]
    [InlineData(null, "https://user:pw@bridge.example.com", "Twilio:PublicBaseUrl 'https://user:pw@bridge.example.com' must be")]
    [InlineData(null, " https://bridge.example.com", "Twilio:PublicBaseUrl ' https://bridge.example.com' must be")]
    public void Each_problem_names_its_key(string? token, string? baseUrl, string expected)
    {
        string error = Assert.Single(new TwilioOptions { AuthToken = token, PublicBaseUrl = baseUrl }.Validate());

        Assert.StartsWith(expected, error);
    }
}
