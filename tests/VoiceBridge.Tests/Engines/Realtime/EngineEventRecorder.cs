using VoiceBridge.Engines;

namespace VoiceBridge.Tests.Engines.Realtime;

/// <summary>An engine's event sink for tests: keeps every event in order and lets the test await one.</summary>
internal sealed class EngineEventRecorder : IEngineEvents
{
    private readonly AwaitableLog<EngineEvent> _log = new(Describe);

    public IReadOnlyList<EngineEvent> Events => _log.Snapshot();

    public ValueTask PostAsync(EngineEvent engineEvent)
    {
        _log.Add(engineEvent);
        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<EngineEvent> OfKind(EngineEventKind kind) => [.. Events.Where(e => e.Kind == kind)];

    /// <summary>The <paramref name="occurrence"/>-th event of <paramref name="kind"/> since the engine started.</summary>
    public Task<EngineEvent> WaitAsync(EngineEventKind kind, int occurrence = 1) =>
        _log.WaitAsync(e => e.Kind == kind, kind.ToString(), occurrence);

    public Task<EngineEvent> WaitAsync(Func<EngineEvent, bool> match, string what, int occurrence = 1) =>
        _log.WaitAsync(match, what, occurrence);

    /// <summary>Index of an event in <see cref="Events"/> (reference identity), for ordering checks.</summary>
    public int IndexOf(EngineEvent engineEvent)
    {
        var events = Events;
        for (var i = 0; i < events.Count; i++)
        {
            if (ReferenceEquals(events[i], engineEvent))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Describe(EngineEvent e) => e.Kind switch
    {
        EngineEventKind.SpeechStarted or EngineEventKind.SpeechStopped => $"{e.Kind}@{e.Position}",
        EngineEventKind.AgentAudio => $"AgentAudio({e.Audio?.Length})",
        EngineEventKind.ResponseDone => $"ResponseDone({e.Status})",
        EngineEventKind.Error or EngineEventKind.Closed or EngineEventKind.UserTranscript or EngineEventKind.AgentTranscript => $"{e.Kind}(\"{e.Text}\")",
        EngineEventKind.ToolCall => $"ToolCall({e.Name} {e.Arguments})",
        _ => e.Kind.ToString(),
    };
}
