namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// What one <see cref="SrtpContext"/> has protected and refused, for logs and metrics. Updated with interlocked
/// increments because the RTP and RTCP paths of one context may run on different threads.
/// </summary>
public sealed class SrtpCounters
{
    private long _protected;
    private long _unprotected;
    private long _tooShort;
    private long _authFailed;
    private long _replayed;
    private long _tooOld;
    private long _badIndex;
    private long _malformed;
    private long _tooManyStreams;

    /// <summary>RTP and RTCP packets protected for sending.</summary>
    public long Protected => Interlocked.Read(ref _protected);

    /// <summary>RTP and RTCP packets authenticated and decrypted.</summary>
    public long Unprotected => Interlocked.Read(ref _unprotected);

    public long TooShort => Interlocked.Read(ref _tooShort);

    public long AuthFailed => Interlocked.Read(ref _authFailed);

    public long Replayed => Interlocked.Read(ref _replayed);

    public long TooOld => Interlocked.Read(ref _tooOld);

    public long BadIndex => Interlocked.Read(ref _badIndex);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long TooManyStreams => Interlocked.Read(ref _tooManyStreams);

    /// <summary>Every packet refused for any reason.</summary>
    public long Dropped => TooShort + AuthFailed + Replayed + TooOld + BadIndex + Malformed + TooManyStreams;

    internal void CountProtected() => Interlocked.Increment(ref _protected);

    /// <summary>Counts one unprotect outcome and hands it back, so a return statement can count as it goes.</summary>
    internal SrtpStatus Count(SrtpStatus status)
    {
        switch (status)
        {
            case SrtpStatus.Ok:
                Interlocked.Increment(ref _unprotected);
                break;
            case SrtpStatus.TooShort:
                Interlocked.Increment(ref _tooShort);
                break;
            case SrtpStatus.AuthFailed:
                Interlocked.Increment(ref _authFailed);
                break;
            case SrtpStatus.Replayed:
                Interlocked.Increment(ref _replayed);
                break;
            case SrtpStatus.TooOld:
                Interlocked.Increment(ref _tooOld);
                break;
            case SrtpStatus.BadIndex:
                Interlocked.Increment(ref _badIndex);
                break;
            case SrtpStatus.Malformed:
                Interlocked.Increment(ref _malformed);
                break;
            default:
                Interlocked.Increment(ref _tooManyStreams);
                break;
        }

        return status;
    }
}
