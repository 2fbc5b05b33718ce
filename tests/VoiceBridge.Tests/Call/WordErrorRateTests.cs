using VoiceBridge.Call;
using VoiceBridge.Engines;

namespace VoiceBridge.Tests.Call;

public sealed class WordErrorRateTests
{
    [Theory]
    [InlineData("Tomorrow afternoon, if possible.", "tomorrow afternoon if possible", 0.0)]
    [InlineData("my name is maria lopez", "my name is mario lopez", 0.2)]
    [InlineData("my name is maria lopez", "my name is lopez", 0.2)]
    [InlineData("yes that works", "yes yes that works for me", 1.0)]
    [InlineData("book an appointment", "", 1.0)]
    [InlineData("I don't know", "i don't know", 0.0)]
    [InlineData("a b c d", "d c b a", 1.0)]
    public void Counts_substitutions_deletions_and_insertions_per_reference_word(string reference, string hypothesis, double expected) =>
        Assert.Equal(expected, WordErrorRate.Compute(reference, hypothesis)!.Value, 6);

    [Theory]
    [InlineData("")]
    [InlineData("  ... !")]
    public void Is_undefined_without_reference_words(string reference) => Assert.Null(WordErrorRate.Compute(reference, "hello"));

    [Fact]
    public void Punctuation_case_and_digits_do_not_count_as_errors()
    {
        Assert.Equal(["hello", "world", "it's", "nine"], WordErrorRate.Words("Hello, WORLD -- it's 9!"));
        Assert.Equal(0.0, WordErrorRate.Compute("At 10 in the morning.", "at ten in the morning"));
    }

    [Fact]
    public void Compares_at_most_MaxWords_words_of_a_long_text()
    {
        var text = string.Join(" ", Enumerable.Repeat("word", WordErrorRate.MaxWords * 3));
        Assert.Equal(WordErrorRate.MaxWords, WordErrorRate.Words(text).Count);
        Assert.Equal(0.0, WordErrorRate.Compute(text, text));
    }
}

public sealed class ShadowModeTests
{
    [Theory]
    [InlineData("local", "local")]
    [InlineData("cascade-remote", "cascade-remote")]
    [InlineData("azure-realtime", "azure-realtime")]
    [InlineData("cascade(stt=deepgram,llm=claude,tts=espeak)", "cascade-deepgram-claude-espeak")]
    public void Parses_one_engine_of_the_chain_grammar(string text, string name) => Assert.Equal(name, ShadowMode.Parse(text).Name);

    [Theory]
    [InlineData("local,cascade-remote", "name one engine")]
    [InlineData("tier1: local | tier2: azure-realtime", "name one engine")]
    [InlineData("whisper", "unknown engine 'whisper'")]
    [InlineData("", "name at least one engine")]
    public void Refuses_anything_but_one_engine_saying_why(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => ShadowMode.Parse(text));
        Assert.Contains("--shadow", e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Provisions_the_shadow_after_the_chain_without_changing_it()
    {
        var chain = ChainSpec.Parse("openai-realtime,local");
        Assert.Same(chain, ShadowMode.Provisioned(chain, null));
        Assert.Same(chain, ShadowMode.Provisioned(chain, ShadowMode.Parse("local")));
        var served = ShadowMode.Provisioned(chain, ShadowMode.Parse("azure-realtime"));
        Assert.Equal(["openai-realtime", "local", "azure-realtime"], served.Engines.Select(e => e.Name));
        Assert.Equal(chain.Primary, served.Primary);
        Assert.Equal(2, served.Engines[2].Tier);
    }
}
