using VoiceBridge.Faults;

namespace VoiceBridge.Simulator;

internal sealed partial class SimulatorSession
{
    private bool _blackholed;
    private FaultSpec? _emptyTranscriptFault;
    private FaultSpec? _stalledTranscriptFault;

    /// <summary>Carries a fault out after <paramref name="delay"/> on the session's clock.</summary>
    private void ScheduleFault(FaultSpec fault, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Execute(fault);
            return;
        }

        _ = RunLaterAsync();

        async Task RunLaterAsync()
        {
            await Task.Delay(delay, _time);
            lock (_gate)
            {
                Execute(fault);
            }
        }
    }

    /// <summary>Does what a failing provider does; the plan records when.</summary>
    private void Execute(FaultSpec fault)
    {
        _simulator.Faults.Strike(fault);
        switch (fault.Kind)
        {
            case FaultKind.Close when fault.When.Point == TurnPoint.Done:
                // After the response's last event: what was sent arrives, then the socket drops.
                _ = _socket?.AbortAfterFlushAsync();
                break;
            case FaultKind.Close:
                _socket?.Abort();
                break;
            case FaultKind.Blackhole:
                _blackholed = true;
                break;
            case FaultKind.Error:
                SendError("server_error", "server_error", "The server had an error while processing your request. (simulated fault)");
                break;
            case FaultKind.RateLimit:
                SendError("server_error", "rate_limit_exceeded", "Rate limit reached for requests. Please try again in 20s. (simulated fault)");
                break;
            case FaultKind.StallResponse or FaultKind.StallAudio:
                // Nothing more is sent for the current response; the session stays open.
                CancelQuietly();
                break;
        }
    }

    /// <summary>Stops the current response without telling the client (a stall).</summary>
    private void CancelQuietly()
    {
        if (_response is { } response)
        {
            response.Cancelled = true;
            response.Cancellation.Cancel();
        }
    }
}
