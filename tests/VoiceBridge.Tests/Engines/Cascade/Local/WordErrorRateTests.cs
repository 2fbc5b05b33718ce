using VoiceBridge.Call;

namespace VoiceBridge.Tests.Engines.Cascade.Local;

public sealed class WordErrorRateTests
{
    [Theory]
    [InlineData("Yes, that works for me. Thank you.", "yes that works for me thank you", 0, 7)]
    [InlineData("my name is maria lopez", "my name is anna lopez", 1, 5)]
    [InlineData("my name is maria lopez", "my name maria lopez", 1, 5)]
    [InlineData("no thank you goodbye", "uh no thank you goodbye", 1, 4)]
    [InlineData("ten in the morning", "10 in the morning", 0, 4)]
    [InlineData("hi", "", 1, 1)]
    public void Count_IsTheWordLevelEditDistance(string reference, string hypothesis, int errors, int words) =>
        Assert.Equal((errors, words), WordErrorRate.Count(reference, hypothesis));

    [Fact]
    public void The_rate_is_errors_over_reference_words()
    {
        Assert.Equal(0.25, WordErrorRate.Compute("no thank you goodbye", "no thank you"));
        Assert.Equal((0, 0), WordErrorRate.Count("", ""));
        Assert.Equal((1, 0), WordErrorRate.Count("", "hello"));
    }
}
