using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceBridge.Hosting;

/// <summary>
/// The admin API's JSON (<see cref="AdminEndpoints"/>), shared by the server and <c>voicebridge
/// drill</c>: camelCase, nulls left out.
/// </summary>
public static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary><c>GET /admin/calls</c>: the node's live calls.</summary>
public sealed record AdminCallsView(IReadOnlyList<AdminCallView> Calls);

/// <summary>A live call: its id, leg, the engine answering it (null until one does) and when it started (UTC).</summary>
public sealed record AdminCallView(string Id, string Leg, string? Engine, DateTimeOffset Started);

/// <summary>
/// <c>POST /admin/drills</c>: one live call (<see cref="Call"/>), or a share of the new calls
/// starting within <see cref="DurationS"/> seconds (<see cref="Share"/>, percent), and the fault.
/// </summary>
public sealed record AdminDrillRequest(string? Call, decimal? Share, int? DurationS, string? Fault);

/// <summary>A refused request: what is wrong.</summary>
public sealed record AdminError(string Error);

/// <summary>
/// <c>GET /admin/drills/{id}</c>: a drill, its state (<c>running</c> while calls may still be
/// drilled or a drilled call's switch is not yet known, then <c>done</c>), and the calls drilled so far.
/// </summary>
public sealed record AdminDrillView(
    string Id,
    string Fault,
    string By,
    string State,
    DateTimeOffset Created,
    string? Call,
    decimal? Share,
    int? DurationS,
    long CallsSeen,
    long CallsDrilled,
    IReadOnlyList<AdminDrilledCallView> Calls);

/// <summary>
/// A drilled call: <see cref="State"/> is <c>armed</c> (the fault's moment has not come),
/// <c>missed</c> (it came with nothing to act on: <see cref="Missed"/> says why), <c>struck</c>,
/// <c>switched</c> (the switch was detected, its handoff not yet heard), <c>handed-off</c>, or
/// <c>ended</c> (the call ended first). <see cref="FaultAtMs"/> is on the call's timeline.
/// </summary>
public sealed record AdminDrilledCallView(string Call, string Engine, string State, long? FaultAtMs, string? Missed, AdminSwitchView? Switch);

/// <summary>
/// The drilled call's switch and its figures (docs/failover.md, "Figures"); <see cref="Final"/>
/// once the call ended and its own accounting is complete.
/// </summary>
public sealed record AdminSwitchView(
    string From,
    string To,
    string Reason,
    long DetectedAtMs,
    long? HandoffMs,
    long? DeadAirMs,
    long LostCallerAudioMs,
    long ReplayedCallerAudioMs,
    long OutboundDiscontinuities,
    bool Final);
