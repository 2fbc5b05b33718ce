using VoiceBridge.Engines;

namespace VoiceBridge.Call;

/// <summary>
/// Warm standby (<see cref="FailoverOptions.WarmStandby"/>): the engine the call would go to next,
/// made ready before it is needed, and taken by the handoff that wants it; and the engine a failback
/// returns to, made ready before the call switches to it.
/// </summary>
public sealed partial class CallSession
{
    private IAgentEngine? _standby;
    private int _standbyIndex;
    private Task _standbyWarmUp = Task.CompletedTask;

    /// <summary>
    /// Warm standby (<see cref="FailoverOptions.WarmStandby"/>): the engine the call would go to
    /// next is created and warmed up (socket open, speech-to-text started) while the active one
    /// works, so a handoff to it costs no connection set-up. Seeding waits for the switch, when
    /// the conversation is known.
    /// </summary>
    private void PrepareStandby()
    {
        if (!_options.Failover.WarmStandby || _standby is not null)
        {
            return;
        }

        foreach (var i in Engines.Health.ChainRouting.Preference(_chain))
        {
            if (i != _engineIndex && !_failedEngines.Contains(i) && _chain.IsAvailable(i))
            {
                MakeStandby(i);
                return;
            }
        }
    }

    /// <summary>
    /// With warm standby, whether the recovered engine a failback would return to is warm. If it is
    /// not the standby yet it becomes it (displacing the standby for a failure, which the next switch
    /// makes anew) and the failback waits for a later health check; a warm-up that failed holds
    /// nothing back (the switch connects afresh and fails over as any start does). Without warm
    /// standby a failback connects when it switches.
    /// </summary>
    private bool WarmForFailback(int target)
    {
        if (!_options.Failover.WarmStandby)
        {
            return true;
        }

        if (_standby is not null && _standbyIndex == target)
        {
            return _standbyWarmUp.IsCompleted;
        }

        if (_standby is { } other)
        {
            _standby = null;
            _ = DisposeQuietlyAsync(other);
        }

        MakeStandby(target);
        return false;
    }

    private void MakeStandby(int index)
    {
        _standbyIndex = index;
        _standby = _chain.Create(index, CallId);
        _standbyWarmUp = WarmUpQuietlyAsync(_standby);
    }

    private async Task WarmUpQuietlyAsync(IAgentEngine engine)
    {
        try
        {
            await engine.WarmUpAsync(_stop.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Its start will try again, and fail over if it cannot.
            Log.StandbyFailed(_logger, CallId, engine.Name, e.Message);
        }
    }

    /// <summary>The standby when it is the engine wanted; a standby for another engine is let go.</summary>
    private IAgentEngine? TakeStandby(int index)
    {
        if (_standby is not { } standby)
        {
            return null;
        }

        _standby = null;
        if (_standbyIndex == index)
        {
            return standby;
        }

        _ = DisposeQuietlyAsync(standby);
        return null;
    }
}
