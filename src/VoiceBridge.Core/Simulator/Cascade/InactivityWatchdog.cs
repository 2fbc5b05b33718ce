namespace VoiceBridge.Simulator.Cascade;

/// <summary>Notices when a stream has been idle (no <see cref="Touch"/>) for a timeout, on the injected clock.</summary>
internal sealed class InactivityWatchdog(TimeProvider time, TimeSpan timeout)
{
    private long _last = time.GetTimestamp();

    public TimeSpan Timeout => timeout;

    public void Touch() => Volatile.Write(ref _last, time.GetTimestamp());

    /// <summary>True once idle for the timeout; false when cancelled first.</summary>
    public async Task<bool> WaitForIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var idle = time.GetElapsedTime(Volatile.Read(ref _last));
            if (idle >= timeout)
            {
                return true;
            }

            try
            {
                await Task.Delay(timeout - idle, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }
}
