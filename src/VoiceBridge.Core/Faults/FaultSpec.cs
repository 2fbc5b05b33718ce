using System.Globalization;
using System.Text.RegularExpressions;

namespace VoiceBridge.Faults;

/// <summary>What goes wrong.</summary>
public enum FaultKind
{
    /// <summary>Connection refused.</summary>
    Refuse,

    /// <summary>The upgrade or request answers HTTP 503.</summary>
    Http5xx,

    /// <summary>HTTP 429 with Retry-After, or a rate-limit error event mid-call.</summary>
    RateLimit,

    /// <summary>The socket is dropped.</summary>
    Close,

    /// <summary>The provider stops reading and writing without closing (a half-open socket).</summary>
    Blackhole,

    /// <summary>A server error event.</summary>
    Error,

    /// <summary>No response comes after the caller's turn.</summary>
    StallResponse,

    /// <summary>A response's audio stops mid-way.</summary>
    StallAudio,

    /// <summary>First audio delayed by <see cref="FaultSpec.SlowMs"/>.</summary>
    Slow,

    /// <summary>The caller's turn is transcribed as nothing.</summary>
    EmptyTranscript,
}

/// <summary>When a fault strikes.</summary>
public enum FaultMoment
{
    /// <summary>At connection (and the reconnects that follow).</summary>
    Connect,

    /// <summary><see cref="FaultWhen.OffsetMs"/> into the caller's Nth utterance.</summary>
    User,

    /// <summary>At the agent's Nth response: its first audio, after its last, or an offset into it.</summary>
    Turn,

    /// <summary>N seconds into the call.</summary>
    Seconds,
}

/// <summary>Where in a response a turn fault strikes.</summary>
public enum TurnPoint
{
    First,
    Done,
    Offset,
}

/// <summary>A fault's moment: <c>connect</c>, <c>userN[+MS]</c>, <c>turnN[@first|@done|+MS]</c> or <c>Ns</c>.</summary>
public sealed record FaultWhen(FaultMoment Moment, int N, int OffsetMs, TurnPoint Point)
{
    public override string ToString() => Moment switch
    {
        FaultMoment.Connect => "connect",
        FaultMoment.User => OffsetMs == 0 ? $"user{N}" : $"user{N}+{OffsetMs}",
        FaultMoment.Turn => Point switch { TurnPoint.Done => $"turn{N}@done", TurnPoint.Offset => $"turn{N}+{OffsetMs}", _ => $"turn{N}" },
        _ => $"{N}s",
    };
}

/// <summary>
/// An injected fault, <c>TARGET:KIND[@WHEN]</c>: TARGET is an engine of the chain, a stage of one
/// (<c>NAME.stt|.llm|.tts</c>) or <c>primary</c>; WHEN defaults to <c>turn2</c>. The same grammar
/// serves <c>replay --fault</c>, fault matrices and drills.
/// </summary>
public sealed partial record FaultSpec(string Target, FaultKind Kind, int SlowMs, FaultWhen When)
{
    public static FaultSpec Parse(string text)
    {
        var m = Grammar().Match(text.Trim());
        if (!m.Success)
        {
            throw new FormatException($"fault '{text}': expected TARGET:KIND[@WHEN], e.g. primary:close@turn2 or local.stt:empty-transcript@user1");
        }

        var (kind, slowMs) = ParseKind(text, m.Groups["kind"].Value);
        var when = m.Groups["when"].Success ? ParseWhen(text, m.Groups["when"].Value) : new FaultWhen(FaultMoment.Turn, 2, 0, TurnPoint.First);
        if (when.Moment == FaultMoment.Connect && kind is not (FaultKind.Refuse or FaultKind.Http5xx or FaultKind.RateLimit))
        {
            throw new FormatException($"fault '{text}': only refuse, http5xx and ratelimit happen at connect");
        }

        if (when.Moment != FaultMoment.Connect && kind is FaultKind.Refuse or FaultKind.Http5xx)
        {
            throw new FormatException($"fault '{text}': {m.Groups["kind"].Value} is a connection fault; use @connect");
        }

        return new FaultSpec(m.Groups["target"].Value, kind, slowMs, when);
    }

    public override string ToString() => $"{Target}:{KindName}@{When}";

    private string KindName => Kind switch
    {
        FaultKind.Slow => $"slow:{SlowMs}",
        FaultKind.Http5xx => "http5xx",
        FaultKind.RateLimit => "ratelimit",
        FaultKind.StallResponse => "stall-response",
        FaultKind.StallAudio => "stall-audio",
        FaultKind.EmptyTranscript => "empty-transcript",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    private static (FaultKind Kind, int SlowMs) ParseKind(string text, string kind)
    {
        if (kind.StartsWith("slow:", StringComparison.Ordinal))
        {
            return int.TryParse(kind[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
                ? (FaultKind.Slow, ms)
                : throw new FormatException($"fault '{text}': slow:MS needs a positive number of milliseconds");
        }

        return kind switch
        {
            "refuse" => (FaultKind.Refuse, 0),
            "http5xx" => (FaultKind.Http5xx, 0),
            "ratelimit" => (FaultKind.RateLimit, 0),
            "close" => (FaultKind.Close, 0),
            "blackhole" => (FaultKind.Blackhole, 0),
            "error" => (FaultKind.Error, 0),
            "stall-response" => (FaultKind.StallResponse, 0),
            "stall-audio" => (FaultKind.StallAudio, 0),
            "empty-transcript" => (FaultKind.EmptyTranscript, 0),
            _ => throw new FormatException($"fault '{text}': unknown kind '{kind}' (refuse, http5xx, ratelimit, close, blackhole, error, stall-response, stall-audio, slow:MS, empty-transcript)"),
        };
    }

    private static FaultWhen ParseWhen(string text, string when)
    {
        var m = WhenGrammar().Match(when);
        if (!m.Success)
        {
            throw new FormatException($"fault '{text}': unknown moment '{when}' (connect, userN[+MS], turnN[@first|@done|+MS], Ns)");
        }

        int Number(string group) => m.Groups[group].Success ? int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        if (m.Groups["connect"].Success)
        {
            return new FaultWhen(FaultMoment.Connect, 0, 0, TurnPoint.First);
        }

        if (m.Groups["user"].Success)
        {
            return new FaultWhen(FaultMoment.User, Positive(text, Number("user")), Number("uoff"), TurnPoint.Offset);
        }

        if (m.Groups["turn"].Success)
        {
            var point = m.Groups["toff"].Success ? TurnPoint.Offset : m.Groups["point"].Value == "done" ? TurnPoint.Done : TurnPoint.First;
            return new FaultWhen(FaultMoment.Turn, Positive(text, Number("turn")), Number("toff"), point);
        }

        return new FaultWhen(FaultMoment.Seconds, Number("sec"), 0, TurnPoint.First);
    }

    private static int Positive(string text, int n) =>
        n > 0 ? n : throw new FormatException($"fault '{text}': turns and utterances count from 1");

    [GeneratedRegex(@"^(?<target>[a-z0-9][a-z0-9\-()=,]*(?:\.(?:stt|llm|tts))?):(?<kind>[a-z0-9\-]+(?::\d+)?)(?:@(?<when>\S+))?$")]
    private static partial Regex Grammar();

    [GeneratedRegex(@"^(?:(?<connect>connect)|user(?<user>\d+)(?:\+(?<uoff>\d+))?|turn(?<turn>\d+)(?:@(?<point>first|done)|\+(?<toff>\d+))?|(?<sec>\d+)s)$")]
    private static partial Regex WhenGrammar();
}
