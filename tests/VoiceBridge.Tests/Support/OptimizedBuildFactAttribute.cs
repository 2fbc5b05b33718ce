namespace VoiceBridge.Tests.Support;

/// <summary>
/// A fact about optimized code, such as an async path that allocates nothing when it completes
/// synchronously: a Debug build compiles async state machines as classes, so it allocates one per
/// call there by design. Skipped, saying so, in a Debug build; the test command builds Release.
/// </summary>
public sealed class OptimizedBuildFactAttribute : FactAttribute
{
    public OptimizedBuildFactAttribute()
    {
#if DEBUG
        Skip = "holds for optimized code only: a Debug build compiles async state machines as classes (scripts/test.sh builds Release)";
#endif
    }
}
