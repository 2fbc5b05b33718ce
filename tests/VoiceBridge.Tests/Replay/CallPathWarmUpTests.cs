using System.Diagnostics;
using System.Diagnostics.Metrics;
using VoiceBridge.Engines;
using VoiceBridge.Operations;
using VoiceBridge.Replay;

namespace VoiceBridge.Tests.Replay;

public sealed class CallPathWarmUpTests
{
    /// <summary>Marks this test's own flow, so calls other tests run at the same time are not counted.</summary>
    private static readonly AsyncLocal<bool> InTest = new();

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

    [Fact]
    public void The_warm_up_call_publishes_no_metric_and_no_span()
    {
        var published = new List<string>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BridgeTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, _, _, _) => Seen(published, instrument.Name));
        meters.SetMeasurementEventCallback<double>((instrument, _, _, _) => Seen(published, instrument.Name));
        meters.Start();
        using var spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BridgeTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity => Seen(published, $"span {activity.OperationName}"),
        };
        ActivitySource.AddActivityListener(spans);

        InTest.Value = true;
        var result = CallPathWarmUp.Run(ChainSpec.Parse("openai-realtime,local"));
        InTest.Value = false;

        Assert.True(result.Completed, result.Error);
        Assert.Equal(1, result.Switches);
        Assert.Empty(published);
    }

    private static void Seen(List<string> published, string what)
    {
        if (InTest.Value)
        {
            lock (published)
            {
                published.Add(what);
            }
        }
    }
}
