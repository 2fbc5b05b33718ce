namespace VoiceBridge.Load;

/// <summary>One load call, whatever leg carries it: opened, fed one frame per tick of the shared clock, ended.</summary>
internal interface ILoadCall
{
    /// <summary>Opens the call; throws <see cref="IOException"/> (or the leg's own network exception) when the bridge does not take it.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Sends the caller's next 20 ms frame, stamped with <paramref name="nowMicros"/>.</summary>
    void Tick(long nowMicros);

    /// <summary>Ends the call, waiting a bounded time for the bridge.</summary>
    Task StopAsync(TimeProvider time);
}
