using System.CommandLine;

namespace VoiceBridge.Cli;

/// <summary><c>--no-warm-up</c> of <c>serve</c> and <c>replay</c> (see <see cref="Replay.CallPathWarmUp"/>).</summary>
internal static class WarmUpOption
{
    public static Option<bool> Create() => new("--no-warm-up")
    {
        Description = "Skip the warm-up call (one short synthetic call with a failover, in memory against simulated providers) that compiles the call path before the first real call",
    };
}
