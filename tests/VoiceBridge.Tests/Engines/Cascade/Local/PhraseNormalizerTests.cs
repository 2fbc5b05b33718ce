using VoiceBridge.Engines.Cascade.Local;

namespace VoiceBridge.Tests.Engines.Cascade.Local;

public sealed class PhraseNormalizerTests
{
    [Theory]
    [InlineData("Hello, I would like to book an appointment.", "hello i would like to book an appointment")]
    [InlineData("It was on Friday at two O\u2019Clock.", "it was on friday at two o'clock")]
    [InlineData("Please book me for 10 in the morning!", "please book me for ten in the morning")]
    [InlineData("I'd like the 2nd or the 23rd", "i'd like the second or the twenty third")]
    [InlineData("'quoted' well-known", "quoted well known")]
    [InlineData("1,250 & 2.5% off", "one thousand two hundred fifty and two point five percent off")]
    [InlineData("  ...?!  ", "")]
    public void Normalize_SpellsWhatTheDictionarySpells(string text, string expected) =>
        Assert.Equal(expected, PhraseNormalizer.Normalize(text));

    [Theory]
    [InlineData(0, "zero")]
    [InlineData(13, "thirteen")]
    [InlineData(40, "forty")]
    [InlineData(105, "one hundred five")]
    [InlineData(2_000_019, "two million nineteen")]
    public void Cardinal_IsAmericanEnglish(long value, string expected) =>
        Assert.Equal(expected, PhraseNormalizer.Cardinal(value));

    [Theory]
    [InlineData("1st", "first")]
    [InlineData("12th", "twelfth")]
    [InlineData("20th", "twentieth")]
    [InlineData("99th", "ninety ninth")]
    public void Ordinals_AreSpelledOut(string text, string expected) =>
        Assert.Equal(expected, PhraseNormalizer.Normalize(text));
}
