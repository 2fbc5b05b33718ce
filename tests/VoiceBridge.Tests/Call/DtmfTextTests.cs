using CsCheck;
using VoiceBridge.Call;

namespace VoiceBridge.Tests.Call;

/// <summary>The text form of keys pressed: digits checked with a clear reason, formatted and parsed back.</summary>
public sealed class DtmfTextTests
{
    [Theory]
    [InlineData("5", '5')]
    [InlineData("*", '*')]
    [InlineData("#", '#')]
    [InlineData("d", 'D')]
    [InlineData("A", 'A')]
    public void A_key_a_leg_reports_is_normalised(string digit, char expected)
    {
        Assert.True(DtmfText.TryNormalize(digit, out var c, out var error));
        Assert.Equal(expected, c);
        Assert.Null(error);
    }

    [Theory]
    [InlineData(null, "no digit")]
    [InlineData("", "'' is 0 characters, not one digit")]
    [InlineData("E", "'E' is not a DTMF digit (0-9, *, #, A-D)")]
    [InlineData("123456789012", "'12345678...' is 12 characters, not one digit")]
    public void Anything_else_is_refused_with_the_reason(string? digit, string expected)
    {
        Assert.False(DtmfText.TryNormalize(digit, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("[DTMF 1234#]", "1234#")]
    [InlineData(" [dtmf *a] ", "*A")]
    public void A_dtmf_turn_is_recognised(string text, string digits)
    {
        Assert.True(DtmfText.TryParse(text, out var parsed));
        Assert.Equal(digits, parsed);
    }

    [Theory]
    [InlineData("[DTMF ]")]
    [InlineData("[DTMF 12")]
    [InlineData("[DTMF 1E]")]
    [InlineData("I pressed [DTMF 1]")]
    [InlineData("[DTMF 123456789012345678901234567890123]")]
    [InlineData(null)]
    public void Other_text_is_not(string? text) => Assert.False(DtmfText.TryParse(text, out _));

    [Fact]
    public void Any_entry_formats_and_parses_back_and_random_text_never_throws()
    {
        Gen.Char["0123456789*#ABCD"].Array[1, DtmfText.MaxDigits].Select(c => new string(c))
            .Sample(digits => DtmfText.TryParse(DtmfText.Format(digits), out var parsed) && parsed == digits, iter: 2000);
        Gen.String.Sample(text => DtmfText.TryParse(text, out _) || true, iter: 2000);
        Gen.String.Select(s => "[DTMF " + s).Sample(text => DtmfText.TryParse(text, out _) || true, iter: 2000);
    }
}
