namespace VoiceBridge.Transport;

/// <summary>
/// Completing, with no <see cref="SynchronizationContext"/> current, a task that third-party code
/// awaits with <c>ConfigureAwait(false)</c>. Such a continuation runs inline only where no context
/// is current; completed on the virtual-time loop with the loop's context current, it would be
/// queued to the thread pool and leave the loop (docs/architecture.md). Our code never uses
/// <c>ConfigureAwait(false)</c> and so resumes on the loop; where it runs inside an SDK's own
/// async chain (a pipeline policy, a message handler), the task it hands back is completed here.
/// </summary>
public static class ContextFree
{
    /// <summary>Runs <paramref name="action"/> with no SynchronizationContext current.</summary>
    public static void Run(Action action)
    {
        var previous = SynchronizationContext.Current;
        if (previous is null)
        {
            action();
            return;
        }

        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            action();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary><paramref name="task"/>'s outcome, handed on with no context current (see the class remarks).</summary>
    public static Task<T> Handoff<T>(Task<T> task)
    {
        if (task.IsCompleted)
        {
            return task;
        }

        var handoff = new TaskCompletionSource<T>();
        _ = ForwardAsync();
        return handoff.Task;

        async Task ForwardAsync()
        {
            try
            {
                var result = await task;
                Run(() => handoff.TrySetResult(result));
            }
            catch (OperationCanceledException e)
            {
                Run(() => handoff.TrySetCanceled(e.CancellationToken));
            }
            catch (Exception e)
            {
                Run(() => handoff.TrySetException(e));
            }
        }
    }

    /// <inheritdoc cref="Handoff{T}(Task{T})"/>
    public static Task Handoff(Task task) => Handoff(Completed(task));

    private static async Task<bool> Completed(Task task)
    {
        await task;
        return true;
    }
}
