using VoiceBridge.Legs.Sip;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>Digits in SIP INFO bodies, as PBXs send them instead of RFC 4733 events.</summary>
public sealed class DtmfRelayTests
{
    [Theory]
    [InlineData("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5')]
    [InlineData("Application/DTMF-Relay", "Signal= 10\r\nDuration= 250\r\n", '*')]
    [InlineData("application/dtmf-relay", "Duration=160\r\nSignal=b\r\n", 'B')]
    [InlineData("application/dtmf", "5", '5')]
    [InlineData("application/dtmf;charset=us-ascii", "#\r\n", '#')]
    [InlineData("application/DTMF", "11", '#')]
    public void A_key_in_either_body_is_read(string contentType, string body, char expected)
    {
        Assert.True(DtmfRelay.TryParse(contentType, body, out var digit));
        Assert.Equal(expected, digit);
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Signal=12\r\n")]
    [InlineData("application/dtmf-relay", "5")]
    [InlineData("application/dtmf", "Signal=5")]
    [InlineData("application/dtmf", "")]
    [InlineData("text/plain", "5")]
    [InlineData(null, "Signal=5")]
    public void Anything_else_is_no_key(string? contentType, string body)
    {
        Assert.False(DtmfRelay.TryParse(contentType, body, out _));
    }
}
