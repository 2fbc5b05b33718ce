namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// The Bright Smile Dental deployment's phrases (the demo clinic of the media fixtures and the
/// simulator's script), in the phrase-file format of <see cref="DomainPhrases"/>. A deployment
/// replaces them with its own file (<see cref="DomainPhrases.Load"/>).
/// </summary>
public static class DentalDomain
{
    /// <summary>The phrase file's text.</summary>
    public const string PhraseFile = """
        # Bright Smile Dental: what callers say. The recogniser's grammar is generated from this list.
        <name> = maria lopez | john smith | anna brown | david lee
        <day> = monday | tuesday | wednesday | thursday | friday | saturday | sunday
        <hour> = one | two | three | four | five | six | seven | eight | nine | ten | eleven | twelve
        <time> = <hour> o'clock | <hour> in the (morning | afternoon)

        # May open or close any sentence: "Hi, what are your opening hours?", "Yes, that works. Thank you."
        <opening> = hi | hello | good morning | yes | no | okay
        <closing> = thank you | goodbye | please

        hello, I would like to (book | move | cancel) (an | my) appointment
        I would like to (book | move | cancel) (an | my) appointment
        I need to (book | move | cancel) (an | my) appointment
        what are your opening hours?
        can I come in on <day>?
        tomorrow (afternoon | morning) [if possible]
        please book me for <time>
        it was on <day> at <time>
        my name is <name>
        yes, that works for me. Thank you.
        no, thank you. Goodbye.
        that is all. Goodbye.
        good morning
        hi
        <day>
        <time>
        yes
        no
        thank you
        """;

    /// <summary>The parsed phrases.</summary>
    public static DomainPhrases Phrases { get; } = DomainPhrases.Parse(PhraseFile, "bright-smile-dental");
}
