using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Faults;
using VoiceBridge.Tests.Call;

namespace VoiceBridge.Tests.Faults;

/// <summary>A drilled call's view of the chain: the engine its drill struck has not failed in the provider's sense.</summary>
public sealed class DrillCallChainTests
{
    [Fact]
    public void The_engine_a_drill_struck_is_never_recovered_for_that_call_whatever_the_shared_health_says()
    {
        Assert.True(DrillFault.TryParse("openai-realtime:drill", liveCall: true, out var fault, out var error), error);
        var injector = new DrillInjector(new FakeTimeProvider(), NullLogger<DrillInjector>.Instance);
        var inner = new ScriptedChain("openai-realtime", "azure-realtime") { Recovered = _ => true };
        var arm = injector.Arm("CA1", "openai-realtime", fault!, () => { });
        Assert.NotNull(arm.StruckAt);

        var drilled = new DrillCallChain(inner, injector, "CA1");
        Assert.False(drilled.IsRecovered(0));
        Assert.True(drilled.IsRecovered(1));
        Assert.True(new DrillCallChain(inner, injector, "CA2").IsRecovered(0));
    }
}
