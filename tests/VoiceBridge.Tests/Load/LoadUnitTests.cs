using CsCheck;
using VoiceBridge.Cli;
using VoiceBridge.Load;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Load;

public sealed class HopTagTests
{
    [Fact]
    public void A_tag_round_trips_its_low_32_bits_and_every_byte_is_quiet_mu_law()
    {
        Gen.Long.Sample(micros =>
        {
            var frame = new byte[CallClock.FrameSamples];
            Assert.True(HopTag.TryWrite(frame, micros));
            Assert.True(HopTag.TryRead(frame, out var stamp));
            Assert.Equal((uint)micros, stamp);
            Assert.All(frame[..HopTag.Length], b => Assert.True(Math.Abs((int)G711.MuLawToLinear(b)) <= 128, $"0x{b:X2} is loud"));
        });
    }

    [Fact]
    public void Elapsed_time_wraps_with_the_32_bit_stamp()
    {
        var frame = new byte[HopTag.Length];
        HopTag.TryWrite(frame, 0xFFFF_FFF0);
        HopTag.TryRead(frame, out var stamp);
        Assert.Equal(0x20, HopTag.ElapsedMicros(stamp, 0x1_0000_0010));
    }

    [Fact]
    public void Untagged_audio_short_audio_and_a_damaged_tag_are_not_read_as_tags()
    {
        var silence = new byte[CallClock.FrameSamples];
        silence.AsSpan().Fill(G711.MuLawSilence);
        Assert.False(HopTag.TryRead(silence, out _));
        Assert.False(HopTag.TryRead(new byte[HopTag.Length - 1], out _));
        Assert.False(HopTag.TryWrite(new byte[HopTag.Length - 1], 5));
        var tagged = new byte[HopTag.Length];
        HopTag.TryWrite(tagged, 12345);
        tagged[6] = 0x05;
        Assert.False(HopTag.TryRead(tagged, out _));
    }

    [Fact]
    public void Arbitrary_bytes_never_throw_and_are_read_as_a_tag_only_when_they_start_with_its_magic()
    {
        Gen.Byte.Array[0, 400].Sample(bytes => !HopTag.TryRead(bytes, out _) || (bytes.Length >= HopTag.Length && bytes[0] == 0x71 && bytes[3] == 0xF4));
    }
}

public sealed class LoadProbeTests
{
    [Fact]
    public void Tagged_frames_are_counted_and_only_those_after_the_settling_frames_are_timed()
    {
        var probe = new LoadProbe();
        var aborted = 0;
        using var session = probe.Open(() => aborted++);
        var frame = new byte[CallClock.FrameSamples];
        HopTag.TryWrite(frame, HopTag.NowMicros());
        for (var i = 0; i < LoadProbe.SettleFrames + 10; i++)
        {
            session.OnCallerAudio(frame);
        }

        // Two frames in one append: both found at their frame boundaries.
        session.OnCallerAudio([.. frame, .. frame]);
        session.OnCallerAudio(new byte[CallClock.FrameSamples]);
        Assert.Equal(LoadProbe.SettleFrames + 12, probe.FramesReceived);
        Assert.Equal(12, probe.HopIn.Count);
        Assert.Equal(1, probe.Storm());
        Assert.Equal(1, aborted);
        probe.Reset();
        Assert.Equal(0, probe.Snapshot().FramesReceived);
    }

    [Fact]
    public void A_reset_may_move_what_counts_as_late()
    {
        var hops = new HopHistogram();
        hops.Record(30_000);
        Assert.Equal(1, hops.Late);
        hops.Reset(80_000);
        hops.Record(30_000);
        hops.Record(90_000);
        Assert.Equal(2, hops.Count);
        Assert.Equal(1, hops.Late);
        hops.Reset();
        hops.Record(30_000);
        Assert.Equal(0, hops.Late);
    }

    /// <summary>The control endpoint: <c>lateMs</c> sets the hop-in threshold on reset; a bad value is refused naming it and changes nothing.</summary>
    [Fact]
    public async Task The_probe_takes_a_late_threshold_on_reset_and_refuses_a_bad_one()
    {
        var probe = new LoadProbe();
        await using var server = await Support.LoopbackServer.StartAsync(app => app.MapLoadProbe(probe));
        using var http = new HttpClient { BaseAddress = server.HttpBase };

        using var bad = await http.GetAsync(new Uri(LoadProbeEndpoints.HopsPath + "?reset=true&lateMs=soon", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("lateMs 'soon'", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(20_000, probe.HopIn.LateThresholdMicros);
        using var noReset = await http.GetAsync(new Uri(LoadProbeEndpoints.HopsPath + "?lateMs=80", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, noReset.StatusCode);
        Assert.Contains("reset=true", await noReset.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(20_000, probe.HopIn.LateThresholdMicros);

        using var ok = await http.GetAsync(new Uri(LoadProbeEndpoints.HopsPath + "?reset=true&lateMs=80", UriKind.Relative));
        ok.EnsureSuccessStatusCode();
        Assert.Equal(80_000, probe.HopIn.LateThresholdMicros);
    }

    [Fact]
    public void A_first_delta_is_tagged_on_a_copy()
    {
        var audio = new byte[800];
        audio.AsSpan().Fill(0x55);
        var tagged = LoadProbe.Session.TagFirstDelta(audio);
        Assert.True(HopTag.TryRead(tagged, out _));
        Assert.Equal(0x55, audio[0]);
        Assert.Equal(audio[HopTag.Length..], tagged[HopTag.Length..]);
    }
}

public sealed class ProcessSamplerTests
{
    // A real /proc/PID/stat line whose command name holds a space and a parenthesis.
    private const string Stat = "4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194560 48170 0 12 0 1234 567 0 0 20 0 31 0 80123 3481702400 38000 18446744073709551615 1 1 0 0 0 0 0 4096 17630 0 0 0 17 1 0 0 0 0 0";

    private const string Status = "Name:\tdotnet\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 3500000 kB\nVmRSS:\t  152340 kB\nRssAnon:\t   90000 kB\n";

    [Fact]
    public void Cpu_ticks_are_utime_plus_stime_counted_after_the_command_name()
    {
        Assert.True(ProcessSampler.ParseCpuTicks(Stat, out var ticks, out var error), error);
        Assert.Equal(1234 + 567, ticks);
    }

    [Fact]
    public void Resident_memory_is_vm_rss_in_kb()
    {
        Assert.True(ProcessSampler.ParseRssKb(Status, out var kb, out _));
        Assert.Equal(152340, kb);
    }

    [Theory]
    [InlineData("4242 dotnet S 1", "no ')'")]
    [InlineData("4242 (dotnet) S 1 2 3", "fields")]
    [InlineData("4242 (dotnet) S 1 4242 4242 0 -1 4194560 48170 0 12 0 x 567", "not a count")]
    public void A_malformed_stat_line_is_refused_naming_the_problem(string stat, string expected)
    {
        Assert.False(ProcessSampler.ParseCpuTicks(stat, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("Name:\tkthreadd\n", "no VmRSS")]
    [InlineData("VmRSS:\t 12 MB\n", "is not")]
    public void A_status_without_a_usable_rss_is_refused(string status, string expected)
    {
        Assert.False(ProcessSampler.ParseRssKb(status, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Cpu_percent_is_ticks_over_elapsed_time_of_one_core()
    {
        var a = new ProcessSample(0, 1000, 0);
        var b = new ProcessSample(2_000_000, 1050, 0);
        Assert.Equal(25, ProcessSampler.CpuPercent(a, b), 6);
    }

    [Fact]
    public void This_process_can_be_read()
    {
        Assert.NotNull(ProcessSampler.Read(Environment.ProcessId, HopTag.NowMicros()));
    }
}

public sealed class LoadOptionsTests
{
    private static LoadOptions Options(string server, int[] steps, int duration = 10, string? sim = "http://127.0.0.1:8089", int? storm = null) => new()
    {
        Server = new Uri(server), Simulator = sim is null ? null : new Uri(sim), Steps = steps, DurationS = duration, StormAtS = storm,
        Audio = LoadAudio.FromRecording(WavLoader.Load(Support.RepoPaths.Fixture("booking-ulaw8k.wav")).Samples, "booking"),
    };

    [Fact]
    public void Loopback_runs_are_accepted()
    {
        Assert.Empty(Options("ws://127.0.0.1:8080/twilio/media", [10, 50]).Validate(false));
        Assert.Empty(Options("ws://localhost:8080/twilio/media", [1], storm: 5).Validate(false));
        Assert.Empty(Options("ws://[::1]:8080/twilio/media", [2000]).Validate(false));
    }

    [Fact]
    public void Remote_servers_too_many_calls_and_a_storm_outside_the_step_are_refused()
    {
        Assert.Contains(Options("ws://10.0.0.5:8080/twilio/media", [10]).Validate(false), e => e.Contains("loopback"));
        Assert.Empty(Options("ws://10.0.0.5:8080/twilio/media", [10], sim: null).Validate(true));
        Assert.Contains(Options("ws://127.0.0.1:8080/x", [2001]).Validate(false), e => e.Contains("2000"));
        Assert.Contains(Options("ws://127.0.0.1:8080/x", [10], storm: 10).Validate(false), e => e.Contains("--storm-at"));
        Assert.Contains(Options("ws://127.0.0.1:8080/x", [10], sim: null, storm: 3).Validate(false), e => e.Contains("needs --sim"));
        Assert.Contains(Options("http://127.0.0.1:8080/x", [10]).Validate(false), e => e.Contains("ws://"));
        Assert.Contains(Options("ws://127.0.0.1:8080/x", [10], duration: 0).Validate(false), e => e.Contains("--duration"));
    }

    [Theory]
    [InlineData(null, 10, new[] { 10 })]
    [InlineData("10, 50,100", 1, new[] { 10, 50, 100 })]
    public void Steps_come_from_the_ramp_or_the_calls(string? ramp, int calls, int[] expected)
    {
        Assert.True(LoadCommand.TryParseSteps(ramp, calls, out var steps, out var error), error);
        Assert.Equal(expected, steps);
    }

    [Theory]
    [InlineData(null, 0, "--calls")]
    [InlineData(null, 2001, "--calls")]
    [InlineData("10,x", 1, "'x'")]
    [InlineData("10,2001", 1, "'2001'")]
    [InlineData("10,-5", 1, "'-5'")]
    public void Bad_steps_are_refused_naming_the_value(string? ramp, int calls, string expected)
    {
        Assert.False(LoadCommand.TryParseSteps(ramp, calls, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void The_recording_is_cut_into_whole_frame_utterances()
    {
        var audio = Options("ws://127.0.0.1:1/x", [1]).Audio;
        Assert.Equal(4, audio.Utterances.Count);
        Assert.All(audio.Utterances, u => Assert.Equal(0, u.Length % CallClock.FrameSamples));
        Assert.Throws<InvalidDataException>(() => LoadAudio.FromRecording(new short[8000], "silence"));
    }
}

public sealed class LoadPhaseTests
{
    [Fact]
    public void Each_phase_starts_at_its_offset_in_the_frame_period_and_then_owes_one_frame_per_period()
    {
        var phaseMicros = CallClock.FrameMs * 1000L / LoadRunner.Phases;
        for (var phase = 0; phase < LoadRunner.Phases; phase++)
        {
            var offset = phase * phaseMicros;
            Assert.Equal(0, LoadRunner.FramesDue(offset - 1, phase));
            Assert.Equal(1, LoadRunner.FramesDue(offset, phase));
            Assert.Equal(1, LoadRunner.FramesDue(offset + 19_999, phase));
            Assert.Equal(2, LoadRunner.FramesDue(offset + 20_000, phase));
            Assert.Equal(50, LoadRunner.FramesDue(offset + 999_999, phase));
        }
    }

    [Fact]
    public void At_any_moment_the_phases_together_owe_frames_spread_over_the_period_not_in_one_burst()
    {
        // Ten ticks of 2 ms through one period, mid-step: after the first, each tick finds one phase's frame due.
        var phaseMicros = CallClock.FrameMs * 1000L / LoadRunner.Phases;
        var before = new long[LoadRunner.Phases];
        for (var tick = 1; tick <= LoadRunner.Phases; tick++)
        {
            var now = (20_000L * 3) + (tick * phaseMicros) - 1;
            var dueNow = Enumerable.Range(0, LoadRunner.Phases).Count(p => LoadRunner.FramesDue(now, p) > before[p]);
            Assert.Equal(tick == 1 ? LoadRunner.Phases : 1, dueNow);
            for (var p = 0; p < LoadRunner.Phases; p++)
            {
                before[p] = LoadRunner.FramesDue(now, p);
            }
        }
    }
}
