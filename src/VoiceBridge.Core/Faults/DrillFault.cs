using System.Globalization;
using System.Text.RegularExpressions;

namespace VoiceBridge.Faults;

/// <summary>What a drill does to the engine's connection, on our side of it.</summary>
public enum DrillKind
{
    /// <summary>The operator's forced switch (reason <c>drill</c>): no fault, the session just moves on.</summary>
    Switch,

    /// <summary>The engine's WebSocket is aborted: the engine reports it lost (socket-lost).</summary>
    Close,

    /// <summary>The provider's events stop reaching the engine and ours stop reaching it: the stall timers fire.</summary>
    Blackhole,

    /// <summary>A synthetic provider <c>error</c> event is handed to the engine (provider-error).</summary>
    Error,

    /// <summary>Mid-call a synthetic rate-limit error event; at connect the upgrade fails with 429 and Retry-After 20.</summary>
    RateLimit,

    /// <summary>The next connection of the engine is refused (cannot-connect).</summary>
    Refuse,

    /// <summary>The next connection's upgrade fails with HTTP 503 (cannot-connect).</summary>
    Http5xx,
}

/// <summary>When a drill's fault strikes, counted from the moment the call was armed.</summary>
public enum DrillMoment
{
    /// <summary>At once (a drill of one live call).</summary>
    Now,

    /// <summary>At the engine's next connection.</summary>
    Connect,

    /// <summary>Just after the first audio of the Nth spoken response the engine receives from arming on.</summary>
    Turn,

    /// <summary>N seconds after arming.</summary>
    Seconds,
}

/// <summary>
/// The fault of a drill on a live server: the <see cref="FaultSpec"/> grammar
/// (<c>TARGET:KIND[@WHEN]</c>), limited to what can be carried out on OUR side of an engine's
/// connection (the provider is real), plus <c>TARGET</c> or <c>TARGET:drill</c> (the operator's
/// forced switch) and <c>@now</c>. Moments count from when the call is armed: the drill itself for
/// a live call, the call's start for a share of new calls. <see cref="TryParse"/> never throws on
/// untrusted text; its error names what is wrong.
/// </summary>
public sealed partial record DrillFault(string Target, DrillKind Kind, DrillMoment Moment, int N)
{
    /// <summary>The longest fault text taken.</summary>
    public const int MaxLength = 200;

    /// <summary>The kinds a live drill carries out, as the error messages list them.</summary>
    public const string Kinds = "drill, close, blackhole, error, ratelimit, refuse, http5xx";

    /// <summary>Whether the fault acts on the engine's open connection (rather than forcing the switch or failing a connect).</summary>
    public bool NeedsConnection => Kind is DrillKind.Close or DrillKind.Blackhole or DrillKind.Error or DrillKind.RateLimit && Moment != DrillMoment.Connect;

    public override string ToString() => $"{Target}:{KindText}@{MomentText}";

    private string KindText => Kind switch
    {
        DrillKind.Switch => "drill",
        DrillKind.RateLimit => "ratelimit",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    private string MomentText => Moment switch
    {
        DrillMoment.Now => "now",
        DrillMoment.Connect => "connect",
        DrillMoment.Turn => $"turn{N}",
        _ => $"{N}s",
    };

    /// <summary>
    /// Parses <paramref name="text"/> for a drill of one live call (<paramref name="liveCall"/>:
    /// WHEN defaults to <c>now</c>) or of new calls (WHEN defaults to FaultSpec's: <c>turn2</c>,
    /// <c>connect</c> for refuse and http5xx; <c>now</c> is refused).
    /// </summary>
    public static bool TryParse(string? text, bool liveCall, out DrillFault? fault, out string? error)
    {
        fault = null;
        error = Problem(text, liveCall, out fault);
        return error is null;
    }

    private static string? Problem(string? text, bool liveCall, out DrillFault? fault)
    {
        fault = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return "fault: empty; expected TARGET[:KIND][@WHEN], e.g. primary:close@turn2";
        }

        if (text.Length > MaxLength)
        {
            return $"fault: longer than {MaxLength} characters";
        }

        var m = Grammar().Match(text.Trim());
        if (!m.Success)
        {
            return $"fault '{text}': expected TARGET[:KIND][@WHEN], e.g. primary:close@turn2 or primary:drill@now";
        }

        var target = m.Groups["target"].Value;
        if (target.Contains('.', StringComparison.Ordinal))
        {
            return $"fault '{text}': '{target}' is a cascade stage; a drill on a live server acts on a whole engine's connection "
                + "(local stages have no connection to act on): aim it at the engine, or use replay --fault for stage faults";
        }

        var kindText = m.Groups["kind"].Success ? m.Groups["kind"].Value : "drill";
        DrillKind? kind = kindText switch
        {
            "drill" => DrillKind.Switch,
            "close" => DrillKind.Close,
            "blackhole" => DrillKind.Blackhole,
            "error" => DrillKind.Error,
            "ratelimit" => DrillKind.RateLimit,
            "refuse" => DrillKind.Refuse,
            "http5xx" or "http-5xx" => DrillKind.Http5xx,
            _ => null,
        };
        if (kind is null)
        {
            return kindText is "stall-response" or "stall-audio" or "empty-transcript" || kindText.StartsWith("slow", StringComparison.Ordinal)
                ? $"fault '{text}': {kindText} is something only a provider can do (its replies, its transcripts); a live drill acts on our side of the connection: {Kinds} (use replay --fault for {kindText})"
                : $"fault '{text}': unknown kind '{kindText}' ({Kinds})";
        }

        var connectKind = kind is DrillKind.Refuse or DrillKind.Http5xx;
        var whenText = m.Groups["when"].Success ? m.Groups["when"].Value
            : connectKind ? "connect"
            : liveCall ? "now"
            : "turn2";
        var (moment, n, whenError) = ParseWhen(whenText);
        if (whenError is not null)
        {
            return $"fault '{text}': {whenError}";
        }

        if (moment == DrillMoment.Now && !liveCall)
        {
            return $"fault '{text}': @now is for a drill of one live call (call); for new calls use turnN, Ns or connect";
        }

        if (connectKind && moment != DrillMoment.Connect)
        {
            return $"fault '{text}': {kindText} makes the engine's next connection fail: use @connect";
        }

        if (moment == DrillMoment.Connect && !connectKind && kind != DrillKind.RateLimit)
        {
            return $"fault '{text}': only refuse, http5xx and ratelimit happen at connect";
        }

        fault = new DrillFault(target, kind.Value, moment, n);
        return null;
    }

    private static (DrillMoment Moment, int N, string? Error) ParseWhen(string when)
    {
        var m = WhenGrammar().Match(when);
        if (!m.Success)
        {
            return (DrillMoment.Now, 0, $"the moment '{when}' cannot be carried out on our side of the connection: a live drill takes now, connect, turnN (turnN@first) or Ns "
                + "(userN[+MS], turnN+MS and turnN@done are moments only the provider sees: use replay --fault)");
        }

        if (m.Groups["now"].Success)
        {
            return (DrillMoment.Now, 0, null);
        }

        if (m.Groups["connect"].Success)
        {
            return (DrillMoment.Connect, 0, null);
        }

        if (m.Groups["turn"].Success)
        {
            return int.TryParse(m.Groups["turn"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var turn) && turn is > 0 and <= 1000
                ? (DrillMoment.Turn, turn, null)
                : (DrillMoment.Turn, 0, "turns count from 1 (at most 1000)");
        }

        return int.TryParse(m.Groups["sec"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 86_400
            ? (DrillMoment.Seconds, seconds, null)
            : (DrillMoment.Seconds, 0, "Ns is at most 86400 s");
    }

    [GeneratedRegex(@"^(?<target>[a-z0-9][a-z0-9\-()=,.]*)(?::(?<kind>[a-z0-9\-]+(?::\d+)?))?(?:@(?<when>\S+))?$")]
    private static partial Regex Grammar();

    [GeneratedRegex(@"^(?:(?<now>now)|(?<connect>connect)|turn(?<turn>\d{1,6})(?:@first)?|(?<sec>\d{1,6})s)$")]
    private static partial Regex WhenGrammar();
}
