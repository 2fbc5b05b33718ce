namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private int _tickPending;

    /// <summary>
    /// The process's shared pacer (<see cref="CallPacer"/>) hands the call its 20 ms tick here, on the
    /// timer's thread. At most one tick waits in the queue, and a full queue skips this one: pacing
    /// follows elapsed time, so the next tick catches up. It never blocks, so no call delays another.
    /// </summary>
    private void OnPacerTick()
    {
        if (Interlocked.Exchange(ref _tickPending, 1) == 0 && !_inputs.Writer.TryWrite(CallInput.TickInput))
        {
            Volatile.Write(ref _tickPending, 0);
        }
    }

    private void OnTick()
    {
        Volatile.Write(ref _tickPending, 0);
        _playout.Tick(NowMs);
        CheckDtmfTimeout();
        CheckTriggers();
    }
}
