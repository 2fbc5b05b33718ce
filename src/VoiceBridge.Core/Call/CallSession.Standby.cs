using VoiceBridge.Engines;

namespace VoiceBridge.Call;

/// <summary>
/// Warm standby (<see cref="FailoverOptions.WarmStandby"/>): the engine the call would go to next,
/// made ready before it is needed, and taken by the handoff that wants it.
/// </summary>
public sealed partial class CallSession
{
    private IAgentEngine? _standby;
    private int _standbyIndex;

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
                _standbyIndex = i;
                _standby = _chain.Create(i, CallId);
                _ = WarmUpQuietlyAsync(_standby);
                return;
            }
        }
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
