using System.Net;

namespace VoiceBridge.Load;

/// <summary>A load run: where the bridge and the simulator are, how many calls for how long, what to sample.</summary>
public sealed class LoadOptions
{
    /// <summary>The most concurrent calls one run may open.</summary>
    public const int MaxCalls = 2000;

    /// <summary>
    /// The most SIP calls one step may open: they are opened 20 a second and send no RTP until all
    /// are, so with more the first would wait past the bridge's 60 s RTP timeout.
    /// </summary>
    public const int MaxSipCalls = 1000;

    /// <summary>The longest step.</summary>
    public const int MaxDurationS = 3600;

    /// <summary>The caller's leg [Twilio Media Streams].</summary>
    public LoadLeg Leg { get; init; } = LoadLeg.Twilio;

    /// <summary>The Twilio leg's bridge: its Media Streams WebSocket (VoiceBridge: /twilio/media; the Node sample: /media-stream).</summary>
    public Uri? Server { get; init; }

    /// <summary>The SIP leg's bridge: its SIP address over UDP.</summary>
    public SipLoadTarget? SipServer { get; init; }

    /// <summary>
    /// Hop in beyond this is a late frame: one frame period (20 ms) more than the bridge holds caller
    /// audio on purpose. A Twilio leg holds none; a SIP leg holds each packet in its jitter buffer
    /// (40 ms: its starting target, where it stays on loopback runs) and until its next 20 ms tick.
    /// </summary>
    public int HopInLateMs => Leg == LoadLeg.Sip ? 80 : 20;

    /// <summary>The bridge the calls go to, as the report names it.</summary>
    public string ServerName => Leg == LoadLeg.Sip ? SipServer?.ToString() ?? "" : Server?.ToString() ?? "";

    /// <summary>The simulator started with <c>--load</c> (its /load/hops and /load/storm); null: no hop-in, lost or storm figures.</summary>
    public Uri? Simulator { get; init; }

    /// <summary>The bridge's process id, for its CPU and memory; null: not sampled.</summary>
    public int? BridgePid { get; init; }

    /// <summary>Concurrent calls of each step, in order (one step without a ramp).</summary>
    public required IReadOnlyList<int> Steps { get; init; }

    public required int DurationS { get; init; }

    /// <summary>How long the idle bridge is sampled before the first step [3 s].</summary>
    public int IdleS { get; init; } = 3;

    /// <summary>Seconds into each step at which every provider session is dropped (a failover storm); null: none.</summary>
    public int? StormAtS { get; init; }

    /// <summary>The bridge's data directory, whose audit.db gives the storm's handoff figures; null: not read.</summary>
    public string? AuditDirectory { get; init; }

    /// <summary>The caller's recording (any WAV the replay verb takes).</summary>
    public required LoadAudio Audio { get; init; }

    /// <summary>Problems with these options, each naming the option; empty when they can run.</summary>
    public IReadOnlyList<string> Validate(bool allowRemote)
    {
        var errors = new List<string>();
        if (Steps.Count == 0 || Steps.Any(n => n is < 1 or > MaxCalls))
        {
            errors.Add($"--calls/--ramp: each step must be 1 to {MaxCalls} calls");
        }

        if (Leg == LoadLeg.Sip && Steps.Any(n => n > MaxSipCalls))
        {
            errors.Add($"--calls/--ramp: the SIP leg opens 20 calls a second and a step of more than {MaxSipCalls} would keep its first calls silent past the bridge's 60 s RTP timeout");
        }

        if (DurationS is < 1 or > MaxDurationS)
        {
            errors.Add($"--duration: 1 to {MaxDurationS} seconds");
        }

        if (StormAtS is { } storm && (storm < 1 || storm >= DurationS))
        {
            errors.Add("--storm-at: a second inside the step (1 to duration - 1)");
        }

        if (StormAtS is not null && Simulator is null)
        {
            errors.Add("--storm-at needs --sim (the simulator's control drops the sessions)");
        }

        if (Leg == LoadLeg.Twilio && Server?.Scheme is not ("ws" or "wss"))
        {
            errors.Add($"--server '{Server}': the Twilio leg needs a ws:// or wss:// URL");
        }

        if (Leg == LoadLeg.Sip && SipServer is null)
        {
            errors.Add("--server: the SIP leg needs a sip:HOST:PORT URI");
        }

        var serverRemote = Leg == LoadLeg.Sip
            ? SipServer is { } target && !IPAddress.IsLoopback(target.Bridge.Address)
            : Server is { } uri && !IsLoopback(uri);
        if (!allowRemote && (serverRemote || (Simulator is { } sim && !IsLoopback(sim))))
        {
            errors.Add("--server and --sim must be loopback addresses (load on someone else's server is an attack): --allow-remote to override");
        }

        return errors;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}

/// <summary>The leg a load call arrives on.</summary>
public enum LoadLeg
{
    /// <summary>Twilio Media Streams over a WebSocket.</summary>
    Twilio,

    /// <summary>SIP over UDP with an RTP stream of PCMU.</summary>
    Sip,
}
