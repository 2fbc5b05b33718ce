using VoiceBridge.Replay;

namespace VoiceBridge.Tests.Replay;

public sealed class ReplaySummaryTests
{
    private static SwitchReport Switch(string reason, long faultAt, long detectedAt) =>
        new("openai-realtime", "local", reason, "", faultAt, detectedAt, null, false, detectedAt + 300, 300, 0, 0, 0, 0, 0, 0, 0, 2);

    [Fact]
    public void Signalled_detection_leaves_out_stalls_and_soft_triggers()
    {
        var call = new ReplayCallReport
        {
            File = "a.wav",
            Status = CallStatus.Passed,
            Switches = [Switch("socket-lost", 1000, 1002), Switch("provider-error", 5000, 5010), Switch("audio-stall", 9000, 10020), Switch("slow-turns", 12000, 30000)],
        };

        var summary = ReplaySummary.Of([call]);

        Assert.Equal(new FigureDistribution(2, 2, 10, 10), summary.SignalledDetectionMs);
        Assert.Equal(4, summary.DetectionMs!.Count);
        Assert.Equal(18000, summary.DetectionMs.Max);
    }

    [Fact]
    public void A_run_without_signalled_faults_has_no_signalled_detection()
    {
        var call = new ReplayCallReport { File = "a.wav", Status = CallStatus.Passed, Switches = [Switch("response-stall", 1000, 4000)] };

        Assert.Null(ReplaySummary.Of([call]).SignalledDetectionMs);
    }
}
