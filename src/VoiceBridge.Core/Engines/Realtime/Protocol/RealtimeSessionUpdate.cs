namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Which session fields a parsed <c>session.update</c> actually carried.</summary>
[Flags]
public enum RealtimeSessionFields
{
    None = 0,
    Instructions = 1 << 0,
    InputFormat = 1 << 1,
    OutputFormat = 1 << 2,
    Voice = 1 << 3,
    Transcription = 1 << 4,
    TurnDetection = 1 << 5,
    Tools = 1 << 6,
    ToolChoice = 1 << 7,
}

/// <summary>
/// A parsed session object: the values (defaults where absent) and the set of fields present,
/// so a partial <c>session.update</c> can be merged into the current configuration.
/// </summary>
public sealed record RealtimeSessionUpdate(RealtimeSessionConfig Values, RealtimeSessionFields Present)
{
    /// <summary>Returns <paramref name="current"/> with every present field replaced by this update's value; the type stays (it is fixed at creation).</summary>
    public RealtimeSessionConfig ApplyTo(RealtimeSessionConfig current) => current with
    {
        Instructions = Has(RealtimeSessionFields.Instructions) ? Values.Instructions : current.Instructions,
        InputFormat = Has(RealtimeSessionFields.InputFormat) ? Values.InputFormat : current.InputFormat,
        OutputFormat = Has(RealtimeSessionFields.OutputFormat) ? Values.OutputFormat : current.OutputFormat,
        Voice = Has(RealtimeSessionFields.Voice) ? Values.Voice : current.Voice,
        TranscriptionModel = Has(RealtimeSessionFields.Transcription) ? Values.TranscriptionModel : current.TranscriptionModel,
        TurnDetection = Has(RealtimeSessionFields.TurnDetection) ? Values.TurnDetection : current.TurnDetection,
        Tools = Has(RealtimeSessionFields.Tools) ? Values.Tools : current.Tools,
        ToolChoice = Has(RealtimeSessionFields.ToolChoice) ? Values.ToolChoice : current.ToolChoice,
    };

    private bool Has(RealtimeSessionFields field) => (Present & field) != 0;
}
