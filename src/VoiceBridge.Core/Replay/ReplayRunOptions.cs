using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;
using VoiceBridge.Media;
using VoiceBridge.Simulator;

namespace VoiceBridge.Replay;

/// <summary>The caller leg a replay drives: a Twilio Media Streams WebSocket, or a SIP call with RTP.</summary>
public enum ReplayLeg
{
    Twilio,
    Sip,
}

/// <summary>
/// The clock a replay's calls run on: the system's over loopback sockets, or one fake clock per call
/// over in-memory transport in a <see cref="Transport.VirtualTimeLoop"/> (the tests' way: the same
/// call-path code, as fast as the CPU allows, deterministic).
/// </summary>
public enum ReplayClock
{
    Real,
    Virtual,
}

/// <summary>What <c>voicebridge replay</c> was asked to do.</summary>
public sealed class ReplayRunOptions
{
    /// <summary>Where the JSON report goes [OUT-DIR/report.json].</summary>
    public string? ReportPath { get; set; }

    /// <summary>Where the per-call stereo recordings (and by default the report) go [replay-out].</summary>
    public string OutDir { get; set; } = "replay-out";

    public ReplayPacing Pacing { get; set; } = ReplayPacing.TurnAware;

    /// <summary>How the recorded caller reaches the bridge [twilio].</summary>
    public ReplayLeg Leg { get; set; } = ReplayLeg.Twilio;

    /// <summary>Network trouble on the caller's RTP (SIP leg only) [none].</summary>
    public RtpImpairments Impairments { get; set; } = RtpImpairments.None;

    /// <summary>Which channel of a stereo recording is the caller [auto: see <see cref="ChannelSelection.Auto"/>].</summary>
    public ChannelSelection Channel { get; set; } = ChannelSelection.Auto;

    /// <summary>Inputs are headerless 8 kHz mu-law, not WAV.</summary>
    public bool RawMuLaw { get; set; }

    /// <summary>Calls replayed at once [1]: real-time figures are cleanest one at a time (the CLI gives virtual runs the processor count).</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>What the calls run on [real].</summary>
    public ReplayClock Clock { get; set; } = ReplayClock.Real;

    /// <summary>On the real clock, run <see cref="CallPathWarmUp"/> before the first call, as <c>serve</c> does before it takes calls [false].</summary>
    public bool WarmUp { get; set; }

    /// <summary>The engines answering the calls (the first answers until failover lands) [openai-realtime,local].</summary>
    public ChainSpec Chain { get; set; } = ChainSpec.Default;

    /// <summary>Faults injected into every call's simulated providers (one run per recording; see <see cref="Matrix"/>).</summary>
    public IReadOnlyList<FaultSpec> Faults { get; set; } = [];

    /// <summary>
    /// A suite (<c>--faults</c>): each recording is replayed once per run, and every call is judged
    /// against what its faults should do (<see cref="RunExpectation"/>). Null: one run with <see cref="Faults"/>.
    /// </summary>
    public IReadOnlyList<FaultRun>? Matrix { get; set; }

    /// <summary>Told of each call as it starts and ends, and of the report [null: one plain line per call on the runner's output].</summary>
    public IReplayProgress? Progress { get; set; }

    /// <summary>Builds the simulated provider's options for each call.</summary>
    public Func<SimulatorOptions> Simulator { get; set; } = () => new SimulatorOptions();

    /// <summary>Each replayed call's options: tools in dry-run mode, the last resort's apology in the local voice.</summary>
    public Func<CallSessionOptions> CallOptions { get; set; } = () => new CallSessionOptions
    {
        DryRunTools = true,
        Apology = LastResort.Render(new Speech.EspeakSynthesizer()),
    };

    /// <summary>The breakers' thresholds of each replayed call's bridge (<c>ProviderHealth:*</c>) [the defaults].</summary>
    public Engines.Health.ProviderHealthOptions Health { get; set; } = new();

    /// <summary>The tuning of the simulated Realtime engines (<c>Realtime:*</c>: seeding budgets, confirm timeout, ...) [the defaults].</summary>
    public Engines.Realtime.RealtimeEngineOptions Realtime { get; set; } = new();

    /// <summary>Where every call's switches are recorded (a data directory's <c>audit.db</c>, or PostgreSQL) [none: no audit].</summary>
    public AuditStore? Audit { get; set; }

    public string EffectiveReportPath => ReportPath ?? Path.Combine(OutDir, "report.json");

    /// <summary>The runs each recording is replayed with: the matrix, else one run with <see cref="Faults"/>.</summary>
    public IReadOnlyList<FaultRun> Runs => Matrix ?? [new FaultRun(Faults)];
}
