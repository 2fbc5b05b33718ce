using System.Collections.Concurrent;
using VoiceBridge.Engines.Realtime.Protocol;

namespace VoiceBridge.Simulator;

/// <summary>
/// The simulator's control surface, for the harness that drives it: what its "transcription
/// model" hears (the simulator cannot recognise speech, so a replay may tell it the utterances of
/// a recording's sidecar, in order), and what each session received, to check the bridge's
/// accounting against the wire. Fault injection hangs off this too.
/// </summary>
/// <remarks>
/// Transcript hints are kept per call, so concurrent calls in one environment each hear their own
/// caller. A provider connection says which call it serves with the <see cref="CallHeader"/>
/// header, which the bridge puts on every WebSocket it opens to a simulated provider for a call
/// (<c>EngineFactory.Create(index, callId)</c>); an in-process stage passes the call id itself. A
/// session of a call for which no hints were given (or a connection without the header, such as a
/// health probe's) takes the hints given without a call.
/// </remarks>
public sealed class SimulatorControl
{
    /// <summary>The request header naming the call a simulated provider connection serves (its call id, e.g. Twilio's CallSid).</summary>
    public const string CallHeader = "X-VoiceBridge-Call";

    private readonly ConcurrentQueue<string> _hints = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _callHints = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SimulatedSession> _sessions = new();

    /// <summary>Queues what the caller says next, one utterance per committed turn, for sessions of any call without hints of their own.</summary>
    public void AddTranscriptHints(IEnumerable<string> utterances)
    {
        foreach (var u in utterances)
        {
            _hints.Enqueue(u);
        }
    }

    /// <summary>Queues what the caller of call <paramref name="callId"/> says next, one utterance per committed turn, for that call's sessions only.</summary>
    public void AddTranscriptHints(string callId, IEnumerable<string> utterances)
    {
        var queue = _callHints.GetOrAdd(callId, _ => new ConcurrentQueue<string>());
        foreach (var u in utterances)
        {
            queue.Enqueue(u);
        }
    }

    /// <summary>Every session the simulator served, in order of connection.</summary>
    public IReadOnlyCollection<SimulatedSession> Sessions => _sessions;

    /// <summary>The next utterance the caller of <paramref name="callId"/> says (its own hints if it was given any, else the shared ones); null when none is left.</summary>
    internal string? NextTranscript(string? callId = null)
    {
        var queue = callId is not null && _callHints.TryGetValue(callId, out var own) ? own : _hints;
        return queue.TryDequeue(out var text) ? text : null;
    }

    internal SimulatedSession NewSession(string id, string? callId = null)
    {
        var session = new SimulatedSession(id) { CallId = callId };
        _sessions.Enqueue(session);
        return session;
    }

    /// <summary>The call a connection serves, from its <see cref="CallHeader"/> header; null without one.</summary>
    internal static string? CallOf(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue(CallHeader, out var callId) && !string.IsNullOrWhiteSpace(callId) ? callId : null;
}

/// <summary>What one simulated provider session saw.</summary>
public sealed class SimulatedSession(string id)
{
    private readonly ConcurrentQueue<SimulatedEvent> _events = new();
    private readonly ConcurrentQueue<RealtimeItem> _itemsCreated = new();
    private long _receivedAudioBytes;
    private int _responses;
    private int _keepAlives;

    public string Id { get; } = id;

    /// <summary>The call the connection said it serves (<see cref="SimulatorControl.CallHeader"/>), if any.</summary>
    public string? CallId { get; init; }

    /// <summary>Caller audio bytes appended to this session.</summary>
    public long ReceivedAudioBytes => Interlocked.Read(ref _receivedAudioBytes);

    /// <summary>Responses the session started (asked for or automatic).</summary>
    public int Responses => Volatile.Read(ref _responses);

    /// <summary>KeepAlive messages received (a streaming speech-to-text session).</summary>
    public int KeepAlives => Volatile.Read(ref _keepAlives);

    /// <summary>
    /// What decides turns and responses in a Realtime session, in order: session updates (with
    /// <c>create_response</c>), commits (the client's, refused ones, the server VAD's), responses
    /// asked for and automatic ones; so a check can tell a reply given twice, or one given
    /// automatically while automatic responses were off.
    /// </summary>
    public IReadOnlyCollection<SimulatedEvent> Events => _events;

    /// <summary>
    /// Conversation items the client created (<c>conversation.item.create</c>), in order: the
    /// history it was seeded with and caller text such as keys pressed; so a check can see what
    /// an engine was told of the call.
    /// </summary>
    public IReadOnlyCollection<RealtimeItem> ItemsCreated => _itemsCreated;

    internal void CountAudio(int bytes) => Interlocked.Add(ref _receivedAudioBytes, bytes);

    internal void CountResponse() => Interlocked.Increment(ref _responses);

    internal void CountKeepAlive() => Interlocked.Increment(ref _keepAlives);

    internal void Add(SimulatedEvent e) => _events.Enqueue(e);

    internal void AddItem(RealtimeItem item) => _itemsCreated.Enqueue(item);
}

/// <summary>What a simulated Realtime session did about turns and responses (see <see cref="SimulatedSession.Events"/>).</summary>
public enum SimulatedEventKind
{
    /// <summary><c>session.update</c> applied; <see cref="SimulatedEvent.CreateResponse"/> is the setting after it (null: no turn detection).</summary>
    SessionUpdate,

    /// <summary>The client's <c>input_audio_buffer.commit</c>, committed.</summary>
    Commit,

    /// <summary>The client's <c>input_audio_buffer.commit</c>, refused: the buffer held less than 100 ms.</summary>
    CommitRefused,

    /// <summary>The server VAD heard the caller stop and committed the turn.</summary>
    VadCommit,

    /// <summary>The client's <c>response.create</c>.</summary>
    ResponseCreate,

    /// <summary>A response the server VAD created on its own (<c>create_response</c> on).</summary>
    AutoResponse,
}

/// <summary>One entry of <see cref="SimulatedSession.Events"/>.</summary>
public sealed record SimulatedEvent(SimulatedEventKind Kind, bool? CreateResponse = null);
