namespace VoiceBridge.Tests.Support;

/// <summary>Waiting in tests without sleeping: on a fake clock, or for a cancellation.</summary>
internal static class VirtualTime
{
    /// <summary>Completes when <paramref name="time"/> (a fake clock the test advances) has moved on by <paramref name="span"/>.</summary>
    public static async Task Elapse(this TimeProvider time, TimeSpan span, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource();
        using var timer = time.CreateTimer(_ => done.TrySetResult(), null, span, Timeout.InfiniteTimeSpan);
        using var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        await done.Task;
    }

    /// <summary>Completes (cancelled) when <paramref name="cancellationToken"/> fires: a server that hangs until the client gives up.</summary>
    public static async Task UntilCancelled(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource();
        using var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        await done.Task;
    }
}
