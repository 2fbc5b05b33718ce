using VoiceBridge.Engines.Cascade;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>One report from a speech-to-text stage: a transcript, or an error.</summary>
internal sealed record SttEntry(SpeechTranscript? Transcript, string? Error, bool Fatal)
{
    public override string ToString() => Transcript is { } t ? $"{(t.IsFinal ? "final" : "interim")} '{t.Text}'" : $"{(Fatal ? "fatal" : "error")} '{Error}'";
}

/// <summary>Records what a speech-to-text stage reports.</summary>
internal sealed class SttRecorder : ISpeechToTextEvents
{
    public EventLog<SttEntry> Log { get; } = new(e => e.ToString());

    public ValueTask OnTranscriptAsync(SpeechTranscript transcript)
    {
        Log.Add(new SttEntry(transcript, null, false));
        return ValueTask.CompletedTask;
    }

    public ValueTask OnErrorAsync(string message, bool fatal)
    {
        Log.Add(new SttEntry(null, message, fatal));
        return ValueTask.CompletedTask;
    }

    public Task<SttEntry> FinalAsync(TimeProvider? time = null) => Log.WaitAsync(e => e.Transcript?.IsFinal == true, "final transcript", time);

    public Task<SttEntry> ErrorAsync(string containing, TimeProvider? time = null) =>
        Log.WaitAsync(e => e.Error?.Contains(containing, StringComparison.Ordinal) == true, $"error containing '{containing}'", time);
}
