using System.Collections.Concurrent;

namespace VoiceBridge.Simulator;

/// <summary>
/// The simulator's control surface, for the harness that drives it: what its "transcription
/// model" hears (the simulator cannot recognise speech, so a replay may tell it the utterances of
/// a recording's sidecar, in order), and what each session received, to check the bridge's
/// accounting against the wire. Fault injection hangs off this too.
/// </summary>
public sealed class SimulatorControl
{
    private readonly ConcurrentQueue<string> _hints = new();
    private readonly ConcurrentQueue<SimulatedSession> _sessions = new();

    /// <summary>Queues what the caller says next, one utterance per committed turn.</summary>
    public void AddTranscriptHints(IEnumerable<string> utterances)
    {
        foreach (var u in utterances)
        {
            _hints.Enqueue(u);
        }
    }

    /// <summary>Every session the simulator served, in order of connection.</summary>
    public IReadOnlyCollection<SimulatedSession> Sessions => _sessions;

    internal string? NextTranscript() => _hints.TryDequeue(out var text) ? text : null;

    internal SimulatedSession NewSession(string id)
    {
        var session = new SimulatedSession(id);
        _sessions.Enqueue(session);
        return session;
    }
}

/// <summary>What one simulated provider session saw.</summary>
public sealed class SimulatedSession(string id)
{
    private long _receivedAudioBytes;
    private int _responses;
    private int _keepAlives;

    public string Id { get; } = id;

    /// <summary>Caller audio bytes appended to this session.</summary>
    public long ReceivedAudioBytes => Interlocked.Read(ref _receivedAudioBytes);

    /// <summary>Responses the session started.</summary>
    public int Responses => Volatile.Read(ref _responses);

    /// <summary>KeepAlive messages received (a streaming speech-to-text session).</summary>
    public int KeepAlives => Volatile.Read(ref _keepAlives);

    internal void CountAudio(int bytes) => Interlocked.Add(ref _receivedAudioBytes, bytes);

    internal void CountResponse() => Interlocked.Increment(ref _responses);

    internal void CountKeepAlive() => Interlocked.Increment(ref _keepAlives);
}
