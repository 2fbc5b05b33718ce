using System.Collections.Concurrent;
using VoiceBridge.Media;

namespace VoiceBridge.Load;

/// <summary>
/// The simulated provider's side of a load run (<c>sim --load</c>; off by default): it times each
/// tagged caller frame on arrival (hop in), stamps the first audio delta of each response with a
/// tag (for hop out, timed by the load generator), counts tagged frames so caller frames lost on
/// the way are known, and can drop every session at once (a failover storm).
/// </summary>
public sealed class LoadProbe
{
    /// <summary>
    /// A session's first frames are left out of the hop figures (still counted as received): a bridge
    /// holds caller audio until the provider session is configured and then sends the backlog, which
    /// measures set-up, not the per-frame hop.
    /// </summary>
    public const int SettleFrames = 50;

    private readonly ConcurrentDictionary<Session, byte> _sessions = new();
    private long _framesReceived;

    public HopHistogram HopIn { get; } = new();

    /// <summary>Tagged caller frames that arrived, settling frames included.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Sessions open now.</summary>
    public int Sessions => _sessions.Count;

    /// <summary>A new provider session; <paramref name="abort"/> drops its connection in a storm.</summary>
    public Session Open(Action abort)
    {
        var session = new Session(this, abort);
        _sessions[session] = 0;
        return session;
    }

    /// <summary>Drops every open session's connection, as a provider outage would; how many.</summary>
    public int Storm()
    {
        var dropped = 0;
        foreach (var session in _sessions.Keys)
        {
            session.Abort();
            dropped++;
        }

        return dropped;
    }

    /// <summary>What was measured since the last reset.</summary>
    public LoadProbeSnapshot Snapshot() => new(FramesReceived, HopIn.Summary(), Sessions);

    /// <summary>Starts afresh; <paramref name="hopInLateMicros"/>, when given, is the hop in that counts as late from now on.</summary>
    public void Reset(long? hopInLateMicros = null)
    {
        Interlocked.Exchange(ref _framesReceived, 0);
        HopIn.Reset(hopInLateMicros);
    }

    /// <summary>One provider session under load.</summary>
    public sealed class Session : IDisposable
    {
        private readonly LoadProbe _probe;
        private readonly Action _abort;
        private int _frames;

        internal Session(LoadProbe probe, Action abort)
        {
            _probe = probe;
            _abort = abort;
        }

        /// <summary>Caller audio as appended: a tag is looked for at each 20 ms frame boundary.</summary>
        public void OnCallerAudio(ReadOnlySpan<byte> audio)
        {
            var now = HopTag.NowMicros();
            for (var offset = 0; offset < audio.Length; offset += CallClock.FrameSamples)
            {
                if (!HopTag.TryRead(audio[offset..], out var stamp))
                {
                    continue;
                }

                Interlocked.Increment(ref _probe._framesReceived);
                if (++_frames > SettleFrames)
                {
                    _probe.HopIn.Record(HopTag.ElapsedMicros(stamp, now));
                }
            }
        }

        /// <summary>A copy of a response's first delta with the tag of now in its first bytes.</summary>
        public static byte[] TagFirstDelta(ReadOnlySpan<byte> audio)
        {
            var copy = audio.ToArray();
            HopTag.TryWrite(copy, HopTag.NowMicros());
            return copy;
        }

        internal void Abort() => _abort();

        public void Dispose() => _probe._sessions.TryRemove(this, out _);
    }
}

/// <summary>The probe's figures, as <c>GET /load/hops</c> returns them.</summary>
public sealed record LoadProbeSnapshot(long FramesReceived, HopSummary HopIn, int Sessions);
