using System.Net;
using VoiceBridge.Operations;

namespace VoiceBridge.Security;

/// <summary>Why a new call was refused, or <see cref="None"/>.</summary>
public enum CallRefusal
{
    None,

    /// <summary>The node already runs <see cref="CallLimits.MaxCalls"/> calls (HTTP 503, SIP 503).</summary>
    NodeFull,

    /// <summary>The source already runs <see cref="CallLimits.MaxCallsPerSource"/> calls (HTTP 429, SIP 486).</summary>
    SourceFull,
}

/// <summary>
/// Admission of new calls on a node, across its legs: at most <see cref="MaxCalls"/> at once
/// (<c>--max-calls</c>) and at most <see cref="MaxCallsPerSource"/> from one address
/// (<c>--max-calls-per-source</c>), so one peer cannot take the whole node. A call holds a
/// <see cref="Lease"/> from admission to its end; a refusal is counted in <see cref="Rejections"/>
/// and leaves every other call as it was. 0 means no limit. Thread-safe.
/// </summary>
public sealed class CallLimits
{
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, int> _bySource = [];
    private int _calls;

    /// <exception cref="ArgumentOutOfRangeException">A limit is negative.</exception>
    public CallLimits(int maxCalls = 0, int maxCallsPerSource = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCalls);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCallsPerSource);
        MaxCalls = maxCalls;
        MaxCallsPerSource = maxCallsPerSource;
    }

    /// <summary>No limits (the default of every leg).</summary>
    public static CallLimits Unlimited { get; } = new();

    public int MaxCalls { get; }

    public int MaxCallsPerSource { get; }

    /// <summary>True while the node holds <see cref="MaxCalls"/> calls: a new one would be refused.</summary>
    public bool Full => MaxCalls > 0 && Calls >= MaxCalls;

    /// <summary>Calls admitted and not yet released.</summary>
    public int Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls;
            }
        }
    }

    /// <summary>
    /// Admits a call from <paramref name="source"/> (null: a source that is not counted per address, such
    /// as Twilio's media servers, which carry every caller). Returns the lease to dispose when the call ends,
    /// or null with <paramref name="refusal"/> saying why (and counted).
    /// </summary>
    public Lease? TryAdmit(IPAddress? source, out CallRefusal refusal)
    {
        IPAddress? key = source is { IsIPv4MappedToIPv6: true } ? source.MapToIPv4() : source;
        lock (_gate)
        {
            if (MaxCalls > 0 && _calls >= MaxCalls)
            {
                refusal = CallRefusal.NodeFull;
                Rejections.Count(Rejections.LimitCalls);
                return null;
            }

            int fromSource = key is null ? 0 : _bySource.GetValueOrDefault(key);
            if (key is not null && MaxCallsPerSource > 0 && fromSource >= MaxCallsPerSource)
            {
                refusal = CallRefusal.SourceFull;
                Rejections.Count(Rejections.LimitSourceCalls);
                return null;
            }

            _calls++;
            if (key is not null)
            {
                _bySource[key] = fromSource + 1;
            }
        }

        refusal = CallRefusal.None;
        return new Lease(this, key);
    }

    /// <summary>What a refusal says to the caller's side, for responses and logs.</summary>
    public string Describe(CallRefusal refusal) => refusal switch
    {
        CallRefusal.NodeFull => $"the node is at its limit of {MaxCalls} calls",
        CallRefusal.SourceFull => $"this source is at its limit of {MaxCallsPerSource} calls",
        _ => "admitted",
    };

    private void Release(IPAddress? source)
    {
        lock (_gate)
        {
            _calls--;
            if (source is not null && _bySource.TryGetValue(source, out int n))
            {
                if (n <= 1)
                {
                    _bySource.Remove(source);
                }
                else
                {
                    _bySource[source] = n - 1;
                }
            }
        }
    }

    /// <summary>One admitted call's place; disposing it (once or more) frees the place.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly IPAddress? _source;
        private CallLimits? _owner;

        internal Lease(CallLimits owner, IPAddress? source)
        {
            _owner = owner;
            _source = source;
        }

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release(_source);
    }
}
