using Microsoft.Extensions.Logging;

namespace VoiceBridge.Engines.Health;

/// <summary>The breakers' timers and the synthetic probes (see the class summary in ProviderHealth.cs).</summary>
public sealed partial class ProviderHealth
{
    private bool NeedsProbe(Entry e) => _probe is not null && (e.State == BreakerState.HalfOpen
        || (e.State == BreakerState.Closed && e.EverFailed && e.GoodSinceFailure < _options.GoodProbesToClose));

    /// <summary>
    /// Does what is due for the engine now (start a probe) and sets its timer for the next thing
    /// due (the end of a break, the next probe). Never called under the lock; a timer is never set
    /// to fire at once (what is due now is done here), so no timer callback runs inside the lock.
    /// </summary>
    private void Pump(string engine)
    {
        var changes = new List<BreakerChange>();
        Entry e;
        TimeSpan? due = null;
        int seq;
        int? probeEpoch = null;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            e = Refresh(engine, changes);
            var now = _time.GetUtcNow();
            if (NeedsProbe(e) && !e.ProbeRunning && now >= e.NextProbeAt)
            {
                e.ProbeRunning = true;
                probeEpoch = e.Epoch;
            }

            if (e.State == BreakerState.Open)
            {
                due = e.OpenUntil - now;
            }
            else if (NeedsProbe(e) && !e.ProbeRunning && probeEpoch is null)
            {
                due = e.NextProbeAt - now;
            }

            seq = ++e.TimerSeq;
            if (due is not null && e.Timer is null)
            {
                e.Timer = _time.CreateTimer(static s => ((TimerState)s!).Health.Pump(((TimerState)s!).Engine), new TimerState(this, engine), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        Raise(changes);
        lock (e.TimerGate)
        {
            // A later Pump (a probe that completed inline, another thread) has set the timer already;
            // a timer disposed meanwhile (DisposeAsync) is left alone.
            if (seq == e.TimerSeq && e.Timer is { } timer)
            {
                try
                {
                    timer.Change(due ?? Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        if (probeEpoch is { } epoch)
        {
            var task = ProbeAsync(e, epoch);
            lock (_gate)
            {
                if (!task.IsCompleted)
                {
                    _probesInFlight.Add(task);
                }
            }
        }
    }

    private async Task ProbeAsync(Entry e, int epoch)
    {
        bool good;
        string? detail = null;
        using var timeout = new CancellationTokenSource(_options.ProbeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposed.Token);
        try
        {
            // The linked token, not the disposal's own: callbacks run last-registered first, and
            // this wait must not finish (and dispose the linked source) before the probe is told.
            good = await _probe!(e.Engine, linked.Token).WaitAsync(linked.Token);
            detail = good ? null : "not ready";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            good = false;
            detail = $"no answer within {_options.ProbeTimeout.TotalSeconds:0.###} s";
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            good = false;
            detail = ex.Message;
        }

        _logger.LogDebug("probe of {Engine}: {Result}", e.Engine, good ? "good" : $"bad ({detail})");
        bool current;
        lock (_gate)
        {
            e.ProbeRunning = false;
            e.NextProbeAt = _time.GetUtcNow() + _options.ProbeInterval;
            _probesInFlight.RemoveAll(t => t.IsCompleted);
            current = e.Epoch == epoch && !_stopped;
        }

        if (current)
        {
            ReportProbe(e.Engine, good, detail);
        }
        else
        {
            // A failure came while it ran: the result says nothing about now; carry on probing.
            Pump(e.Engine);
        }
    }

    private sealed record TimerState(ProviderHealth Health, string Engine);
}
