using VoiceBridge.Engines;
using VoiceBridge.Replay;

namespace VoiceBridge.Tests.Replay;

public sealed class CallPathWarmUpTests
{
    [Theory]
    [InlineData("openai-realtime,local")]
    [InlineData("cascade-remote,local")]
    public void The_warm_up_call_goes_through_a_failover_of_the_chain(string chain)
    {
        var result = CallPathWarmUp.Run(ChainSpec.Parse(chain));

        Assert.True(result.Completed, result.Error);
        Assert.Equal(1, result.Switches);
    }

    [Fact]
    public void A_chain_of_one_engine_warms_up_without_a_fault()
    {
        var result = CallPathWarmUp.Run(ChainSpec.Parse("openai-realtime"));

        Assert.True(result.Completed, result.Error);
        Assert.Equal(0, result.Switches);
    }
}
