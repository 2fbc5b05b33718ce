namespace VoiceBridge.Load;

/// <summary>What the calls of one load step measured, shared by all of them (counters are atomic, histograms locked).</summary>
public sealed class LoadMeasurements
{
    private long _framesSent;
    private long _framesNotSent;
    private long _agentFramesReceived;
    private long _agentFramesLate;
    private long _turns;
    private long _turnsUnanswered;
    private long _badMessages;
    private long _senderLate;

    /// <summary>Provider audio received by the bridge to the first frame of it at the caller (tagged first deltas).</summary>
    public HopHistogram HopOut { get; } = new();

    /// <summary>End of the caller's utterance to the first agent audio (includes the provider's VAD silence window and think time).</summary>
    public HopHistogram FirstAudio { get; } = new(long.MaxValue);

    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Frames our own send queue refused (the load generator falling behind), not sent and not counted as lost.</summary>
    public long FramesNotSent => Interlocked.Read(ref _framesNotSent);

    public long AgentFramesReceivedCount => Interlocked.Read(ref _agentFramesReceived);

    public long AgentFramesLateCount => Interlocked.Read(ref _agentFramesLate);

    public long Turns => Interlocked.Read(ref _turns);

    public long TurnsUnanswered => Interlocked.Read(ref _turnsUnanswered);

    public long BadMessages => Interlocked.Read(ref _badMessages);

    /// <summary>Ticks of the shared clock that came more than a frame late (the load generator itself overloaded).</summary>
    public long SenderLateTicks => Interlocked.Read(ref _senderLate);

    internal void FrameSent() => Interlocked.Increment(ref _framesSent);

    internal void FrameNotSent() => Interlocked.Increment(ref _framesNotSent);

    internal void AgentFramesReceived(int frames) => Interlocked.Add(ref _agentFramesReceived, frames);

    internal void AgentFramesLate(int frames) => Interlocked.Add(ref _agentFramesLate, frames);

    internal void TurnSpoken() => Interlocked.Increment(ref _turns);

    internal void TurnUnanswered() => Interlocked.Increment(ref _turnsUnanswered);

    internal void BadMessage() => Interlocked.Increment(ref _badMessages);

    internal void SenderLate() => Interlocked.Increment(ref _senderLate);
}
