using System.Runtime.CompilerServices;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// The one 20 ms tick of every call on a clock (CONVENTIONS #6, like Kestrel's heartbeat): one timer
/// per process and <see cref="TimeProvider"/> instead of a timer per call, so N calls cost one timer
/// callback a tick rather than N timers firing at N phases, each waking a thread. The callback only
/// hands each registered call its tick (a non-blocking write to the call's queue): a call slow to
/// handle it delays no other. The timer runs while at least one call is registered. On a fake clock
/// the timer fires inside <c>Advance</c>, on the virtual-time loop's thread, so replays stay deterministic.
/// </summary>
public sealed class CallPacer
{
    private static readonly ConditionalWeakTable<TimeProvider, CallPacer> Pacers = new();
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(CallClock.FrameMs);

    private readonly TimeProvider _time;
    private readonly object _gate = new();

    // Copied on register and unregister (once per call), read without a lock on every tick.
    private Registration[] _calls = [];
    private ITimer? _timer;
    private long _ticks;

    private CallPacer(TimeProvider time) => _time = time;

    /// <summary>Calls registered now.</summary>
    public int Count => Volatile.Read(ref _calls).Length;

    /// <summary>Ticks this pacer has given since it was made.</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>The pacer of <paramref name="time"/>: one per clock for the whole process.</summary>
    public static CallPacer For(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Pacers.GetValue(time, static t => new CallPacer(t));
    }

    /// <summary>
    /// Calls <paramref name="onTick"/> every 20 ms until the registration is disposed. It runs on the
    /// timer's thread, after and before other calls' ticks: it must not block or throw.
    /// </summary>
    public Registration Register(Action onTick)
    {
        ArgumentNullException.ThrowIfNull(onTick);
        var registration = new Registration(this, onTick);
        lock (_gate)
        {
            _calls = [.. _calls, registration];
            _timer ??= _time.CreateTimer(static state => ((CallPacer)state!).Tick(), this, Period, Period);
        }

        return registration;
    }

    private void Unregister(Registration registration)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_calls, registration);
            if (index < 0)
            {
                return;
            }

            var rest = new Registration[_calls.Length - 1];
            _calls.AsSpan(0, index).CopyTo(rest);
            _calls.AsSpan(index + 1).CopyTo(rest.AsSpan(index));
            Volatile.Write(ref _calls, rest);
            if (rest.Length == 0)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }
    }

    private void Tick()
    {
        Interlocked.Increment(ref _ticks);
        foreach (var call in Volatile.Read(ref _calls))
        {
            call.OnTick();
        }
    }

    /// <summary>One call's place on the pacer; disposing it (more than once is fine) stops its ticks.</summary>
    public sealed class Registration : IDisposable
    {
        private readonly CallPacer _pacer;
        private readonly Action _onTick;

        internal Registration(CallPacer pacer, Action onTick)
        {
            _pacer = pacer;
            _onTick = onTick;
        }

        public void Dispose() => _pacer.Unregister(this);

        internal void OnTick() => _onTick();
    }
}
