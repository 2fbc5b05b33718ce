using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// When agent audio played at the caller's end (call ms): runs of 20 ms frames, timed as the
/// playout paces them (a frame sent ahead of time plays when the ones before it have). The
/// handoff figures read the caller's silences from it (dead air). Frames a barge-in flushed from
/// the caller's buffer stay in it: the caller was speaking over them, which is no silence either.
/// </summary>
public sealed class AgentAudioTimeline
{
    private readonly List<(long StartMs, long EndMs)> _runs = [];

    /// <summary>When the latest frame starts playing; -1 before any.</summary>
    public long LastFrameAtMs { get; private set; } = -1;

    /// <summary>A frame plays from <paramref name="startMs"/>.</summary>
    internal void Played(long startMs)
    {
        LastFrameAtMs = startMs;
        var endMs = startMs + CallClock.FrameMs;
        if (_runs.Count > 0 && _runs[^1].EndMs >= startMs)
        {
            _runs[^1] = (_runs[^1].StartMs, Math.Max(_runs[^1].EndMs, endMs));
            return;
        }

        _runs.Add((startMs, endMs));
    }

    /// <summary>
    /// Until when the caller had heard agent audio at <paramref name="ms"/>: <paramref name="ms"/>
    /// itself while audio was playing across it, else the end of the last audio that began before
    /// it (audio beginning at <paramref name="ms"/>, such as the tail of a reply a handoff cut after
    /// it had run dry, is after it); null when none had played.
    /// </summary>
    public long? HeardUntil(long ms)
    {
        for (var i = _runs.Count - 1; i >= 0; i--)
        {
            if (_runs[i].StartMs < ms)
            {
                return Math.Min(_runs[i].EndMs, ms);
            }
        }

        return null;
    }

    /// <summary>The runs of agent audio that overlap [<paramref name="fromMs"/>, <paramref name="toMs"/>).</summary>
    public IEnumerable<(long StartMs, long EndMs)> Within(long fromMs, long toMs) =>
        _runs.Where(r => r.EndMs > fromMs && r.StartMs < toMs);

    /// <summary>Forgets the runs that ended before <paramref name="ms"/>, all but the latest (no figure looks further back).</summary>
    internal void ForgetBefore(long ms)
    {
        var stale = 0;
        while (stale < _runs.Count - 1 && _runs[stale].EndMs < ms)
        {
            stale++;
        }

        _runs.RemoveRange(0, stale);
    }
}
