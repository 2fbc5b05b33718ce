namespace VoiceBridge.Transport;

/// <summary>
/// Waiting for a condition by looking at it on the clock. On a fake clock inside a
/// <see cref="VirtualTimeLoop"/> this is the safe way to wait for work another part of the call path
/// completes: awaiting a completion source (with a timeout) hops through the thread pool, and
/// virtual time runs on meanwhile.
/// </summary>
public static class ClockWait
{
    /// <summary>Checks <paramref name="done"/> every <paramref name="period"/> of <paramref name="time"/>; false when it is still not true after <paramref name="within"/>.</summary>
    public static async Task<bool> UntilAsync(this TimeProvider time, Func<bool> done, TimeSpan period, TimeSpan within, CancellationToken cancellationToken = default)
    {
        var start = time.GetTimestamp();
        using var poll = new PeriodicTimer(period, time);
        while (!done())
        {
            if (time.GetElapsedTime(start) > within)
            {
                return false;
            }

            await poll.WaitForNextTickAsync(cancellationToken);
        }

        return true;
    }
}
