using VoiceBridge.Engines.Cascade.Local;

namespace VoiceBridge.Tests.Engines.Cascade.Local;

public sealed class JsgfGrammarTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("voicebridge-jsgf-").FullName;
    private readonly PronunciationDictionary _dictionary;

    public JsgfGrammarTests()
    {
        var path = Path.Combine(_directory, "tiny.dict");
        File.WriteAllText(path, string.Join('\n', [
            "hi HH AY", "hello HH AH L OW", "thank TH AE NG K", "you Y UW", "my M AY", "name N EY M", "is IH Z",
            "anna AE N AH", "lee L IY", "at AE T", "ten T EH N", "o'clock AH K L AA K", "to T UW", "to(2) T IH", "to(3) T AH",
            "come K AH M", "please P L IY Z", "yes Y EH S",
        ]));
        _dictionary = PronunciationDictionary.Load(path);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Build_WritesSlotsSentencesAndTheUtteranceShape()
    {
        var grammar = JsgfGrammar.Build(Parse("""
            # a comment
            <name> = Anna | Lee   # names
            <opening> = hi | hello
            <closing> = thank you | please
            My name is <name>.
            come at [10] O'Clock
            my name is <name>
            """), _dictionary);

        Assert.Equal("""
            #JSGF V1.0;
            grammar domain;

            <closing> = thank you | please;
            <name> = anna | lee;
            <opening> = hi | hello;
            <sentence> = (my name is <name>)
                | (come at [ ten ] o'clock);

            public <utterance> = [<opening>] <sentence> [<closing> [<closing>]];

            """.ReplaceLineEndings("\n"), grammar.Text);
        Assert.Equal(["anna", "at", "come", "hello", "hi", "is", "lee", "my", "name", "o'clock", "please", "ten", "thank", "you"], grammar.Words);
    }

    [Fact]
    public void Build_WithoutOpeningOrClosing_IsOneSentence_AndCarriesAlternatePronunciations()
    {
        var grammar = JsgfGrammar.Build(Parse("come to (my | anna) name"), _dictionary);

        Assert.EndsWith("public <utterance> = <sentence>;\n", grammar.Text, StringComparison.Ordinal);
        Assert.Contains(("to(3)", "T AH"), grammar.Pronunciations);
        Assert.Contains(("to", "T UW"), grammar.Pronunciations);
    }

    [Fact]
    public void UnknownWords_AreAllReported_NamingTheWordThePhraseAndTheDictionary()
    {
        var error = Assert.Throws<GrammarException>(() => JsgfGrammar.Build(Parse("""
            <name> = anna | zorblax
            my name is <name>
            hello qwfp wibble
            """), _dictionary));

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("unknown word 'zorblax' in \"anna | zorblax\" (test line 1)", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("unknown word 'qwfp' in \"hello qwfp wibble\" (test line 3)", StringComparison.Ordinal));
        Assert.Contains("unknown word 'wibble'", error.Message, StringComparison.Ordinal);
        Assert.Contains("tiny.dict", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("my name is <who>", "undefined slot <who>")]
    [InlineData("<a> = hi <b>\n<b> = hello <a>\nhi <a>", "slot <a> refers to itself")]
    [InlineData("my name (is", "unclosed '('")]
    [InlineData("my name is]", "unbalanced ']'")]
    [InlineData("my name is (anna | )", "empty choice")]
    [InlineData("<x> = hi\n<x> = hello\nhi", "slot <x> is already defined on line 1")]
    [InlineData("<sentence> = hi\nhi", "bad slot name <sentence>")]
    [InlineData("# only a comment", "no sentences")]
    public void MalformedPhrases_AreClearErrors(string phrases, string expected)
    {
        var error = Assert.Throws<GrammarException>(() => JsgfGrammar.Build(Parse(phrases), _dictionary));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFiles_AreNamed()
    {
        Assert.Contains("/nowhere/phrases.txt", Assert.Throws<GrammarException>(() => DomainPhrases.Load("/nowhere/phrases.txt")).Message, StringComparison.Ordinal);
        var missing = Assert.Throws<PocketsphinxException>(() => PronunciationDictionary.Load("/nowhere/cmudict.dict"));
        Assert.Contains("/nowhere/cmudict.dict", missing.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install pocketsphinx pocketsphinx-en-us", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DentalDomain_BuildsAgainstThePackagesDictionary()
    {
        var grammar = LocalStt.DentalGrammar;

        Assert.Contains("public <utterance> = [<opening>] <sentence> [<closing> [<closing>]];", grammar.Text, StringComparison.Ordinal);
        Assert.Contains("<time> = <hour> o'clock | <hour> in the ( morning | afternoon );", grammar.Text, StringComparison.Ordinal);
        Assert.Contains("o'clock", grammar.Words);
    }

    private static DomainPhrases Parse(string text) => DomainPhrases.Parse(text, "test");
}
