using VoiceBridge.Load;

namespace VoiceBridge.Tests.Load;

/// <summary>The load report: per-call figures, its JSON fields, and a storm's handoffs read from the audit log.</summary>
public sealed class LoadReportTests
{
    [Fact]
    public void Per_call_figures_are_above_the_idle_baseline_divided_by_the_calls()
    {
        Assert.Equal(0.5, LoadMath.PerCall(2, 52, 100));
        Assert.Equal(200, LoadMath.CallsPerCore(0.5));
        Assert.Null(LoadMath.CallsPerCore(0));
        Assert.Null(LoadMath.CallsPerCore(-0.1));
        Assert.Null(LoadMath.PerCall(null, 52, 100));
        Assert.Null(LoadMath.PerCall(2, 52, 0));
        Assert.Equal(3, LoadMath.Lost(10, 7));
        Assert.Equal(0, LoadMath.Lost(10, 12));
        Assert.Null(LoadMath.Lost(10, null));
    }

    [Fact]
    public void The_largest_step_up_to_which_no_step_had_late_frames_is_taken_as_measured()
    {
        LoadStep Step(int calls, long? late, int connected) => new()
        {
            Calls = calls, CallsConnected = connected, FramesLate = late,
            HopOut = new HopSummary(0, null, null, null, 0), FirstAudio = new HopSummary(0, null, null, null, 0),
        };
        Assert.Equal(50, LoadReport.MaxWithoutLate([Step(10, 0, 10), Step(50, 0, 50), Step(100, 3, 100), Step(200, 0, 150)]));
        Assert.Null(LoadReport.MaxWithoutLate([Step(10, 1, 10), Step(20, null, 20)]));
        Assert.Equal(10, LoadReport.MaxWithoutLate([Step(100, 0, 100), Step(10, 0, 10), Step(50, 151, 50)]));
    }

    [Fact]
    public void Keeping_real_time_allows_one_late_frame_in_a_thousand_carried_and_stops_at_the_first_step_over_it()
    {
        LoadStep Step(int calls, long? late, int connected, long sent, long agent = 0) => new()
        {
            Calls = calls, CallsConnected = connected, FramesLate = late, FramesSent = sent, AgentFramesReceived = agent,
            HopOut = new HopSummary(0, null, null, null, 0), FirstAudio = new HopSummary(0, null, null, null, 0),
        };

        // 2 of 20 000, 40 of 100 000, 10 of 10 000 exactly: each keeps real time; 11 of 10 000 does not.
        Assert.Equal(100, LoadReport.MaxKeepingRealTime([Step(20, 2, 20, 20_000), Step(100, 40, 100, 100_000), Step(200, 301, 200, 200_000)]));
        Assert.Equal(10, LoadReport.MaxKeepingRealTime([Step(10, 10, 10, 8_000, 2_000), Step(20, 11, 20, 8_000, 2_000)]));
        Assert.Null(LoadReport.MaxKeepingRealTime([Step(10, 0, 9, 10_000)]));
        Assert.Null(LoadReport.MaxKeepingRealTime([Step(10, null, 10, 10_000)]));
        Assert.Null(LoadReport.MaxKeepingRealTime([Step(10, 0, 10, 0)]));
    }

    [Fact]
    public void The_report_names_every_field_the_issue_asks_for()
    {
        var step = new LoadStep
        {
            Calls = 3, CallsConnected = 3, DurationS = 5, FramesSent = 750, FramesLate = 0, FramesLost = 0,
            HopIn = new HopSummary(600, 0.5, 2, 3, 0), HopOut = new HopSummary(6, 1, 4, 4, 0), FirstAudio = new HopSummary(6, 800, 900, 900, 0),
            CpuPercentPerCall = 2, CallsPerCore = 50, MemoryMbPerCall = 1.5,
        };
        var json = LoadReport.Of("ws://127.0.0.1:1/twilio/media", 42, [step]).ToJson();
        foreach (var field in LoadSmokeTests.ReportFields)
        {
            Assert.Contains($"\"{field}\":", json);
        }
    }

    [Fact]
    public void Handoffs_come_from_the_switches_of_call_ended_details()
    {
        var details = new[]
        {
            """{"durationMs":9000,"switches":[{"From":"openai-realtime","To":"local","HandoffMs":120,"DeadAirMs":300,"LostCallerAudioMs":0,"OutboundDiscontinuities":2}]}""",
            """{"durationMs":9000,"switches":[{"From":"openai-realtime","To":"local","HandoffMs":80,"DeadAirMs":null,"LostCallerAudioMs":40,"OutboundDiscontinuities":0},{"From":"local","To":"openai-realtime","LostCallerAudioMs":20,"OutboundDiscontinuities":1}]}""",
            """{"durationMs":9000,"switches":[]}""",
            "not json",
        };
        var d = AuditHandoffs.Of(4, details);
        Assert.Equal(3, d.Switches);
        Assert.Equal(2, d.CallsSwitched);
        Assert.Equal(60, d.LostCallerAudioMs);
        Assert.Equal(1, d.CallsLosingCallerAudio);
        Assert.Equal(3, d.OutboundDiscontinuities);
        Assert.Equal(2, d.CallsWithDiscontinuities);
        Assert.False(d.Held);
        Assert.True(AuditHandoffs.Of(1, ["""{"switches":[{"HandoffMs":90,"LostCallerAudioMs":0,"OutboundDiscontinuities":0}]}"""]).Held);
        Assert.False(AuditHandoffs.Of(2, ["""{"switches":[{"HandoffMs":90,"LostCallerAudioMs":0,"OutboundDiscontinuities":0}]}""", """{"switches":[]}"""]).Held);
        var exhausted = AuditHandoffs.Of(1, ["""{"switches":[{"HandoffMs":90,"LostCallerAudioMs":0,"OutboundDiscontinuities":0}]}"""]) with { CallsChainExhausted = 1 };
        Assert.Equal(1, exhausted.CallsChainExhausted);
        Assert.False(exhausted.Held);
        Assert.Equal(80, d.HandoffP50Ms);
        Assert.Equal(120, d.HandoffP99Ms);
        Assert.Equal(300, d.DeadAirP50Ms);
    }

    [Fact]
    public async Task A_storm_read_from_audit_db_counts_each_call_left_without_an_engine_once()
    {
        var dir = Directory.CreateTempSubdirectory("vb-handoffs-").FullName;
        try
        {
            var t0 = new DateTimeOffset(2026, 11, 26, 15, 0, 0, TimeSpan.Zero);
            const string Switched = """{"switches":[{"HandoffMs":90,"LostCallerAudioMs":0,"OutboundDiscontinuities":0}]}""";
            await using (var log = new VoiceBridge.Audit.SqliteAuditLog(VoiceBridge.Audit.SqliteAuditLog.PathIn(dir)))
            {
                log.Record(new("call-ended", "CA-before", t0.AddSeconds(-1), 9000, null, null, null, Switched));
                log.Record(new("chain-exhausted", "CA-1", t0.AddSeconds(1), 4000, "local", null, "response-stall", "{}"));
                log.Record(new("chain-exhausted", "CA-1", t0.AddSeconds(2), 5000, "local", null, "audio-stall", "{}"));
                log.Record(new("stall-grace", "CA-2", t0.AddSeconds(2), 5000, "local", null, "response-stall", "{}"));
                log.Record(new("call-ended", "CA-1", t0.AddSeconds(3), 9000, null, null, null, Switched));
                log.Record(new("call-ended", "CA-2", t0.AddSeconds(3), 9000, null, null, null, Switched));
            }

            var d = AuditHandoffs.Read(dir, t0);
            Assert.NotNull(d);
            Assert.Equal(2, d.Calls);
            Assert.Equal(2, d.CallsSwitched);
            Assert.Equal(1, d.CallsChainExhausted);
            Assert.Equal(1, d.StallGraces);
            Assert.False(d.Held);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
