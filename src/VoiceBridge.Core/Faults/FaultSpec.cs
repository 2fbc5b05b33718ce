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

/// <summary>Which stage of a cascade a fault is aimed at; <see cref="None"/> for a whole engine.</summary>
public enum FaultStage
{
    None,

    /// <summary><c>NAME.stt</c>: speech-to-text.</summary>
    Stt,

    /// <summary><c>NAME.llm</c>: the chat LLM.</summary>
    Llm,

    /// <summary><c>NAME.tts</c>: text-to-speech.</summary>
    Tts,
}

/// <summary>
/// An injected fault, <c>TARGET:KIND[@WHEN]</c>: TARGET is an engine of the chain, a stage of one
/// (<c>NAME.stt|.llm|.tts</c>) or <c>primary</c> (<c>primary.stt</c> when the primary is a
/// cascade); WHEN defaults to <c>turn2</c> (<c>connect</c> for refuse and http5xx). The same
/// grammar serves <c>replay --fault</c>, fault matrices and drills. Which kinds and moments a stage
/// takes is checked here (<see cref="Parse"/>); whether the target is in the chain is checked
/// where the chain is known (<c>ReplayEnvironment.ValidateFaults</c>).
/// </summary>
public sealed partial record FaultSpec(string Target, FaultKind Kind, int SlowMs, FaultWhen When)
{
    /// <summary>The engine the fault is aimed at: <see cref="Target"/> without its stage.</summary>
    public string Engine => Stage == FaultStage.None ? Target : Target[..Target.LastIndexOf('.')];

    /// <summary>The cascade stage aimed at, if any.</summary>
    public FaultStage Stage => Target.EndsWith(".stt", StringComparison.Ordinal) ? FaultStage.Stt
        : Target.EndsWith(".llm", StringComparison.Ordinal) ? FaultStage.Llm
        : Target.EndsWith(".tts", StringComparison.Ordinal) ? FaultStage.Tts
        : FaultStage.None;

    public static FaultSpec Parse(string text)
    {
        var m = Grammar().Match(text.Trim());
        if (!m.Success)
        {
            throw new FormatException($"fault '{text}': expected TARGET:KIND[@WHEN], e.g. primary:close@turn2 or local.stt:empty-transcript@user1");
        }

        var target = m.Groups["target"].Value;
        if (target.Contains('.', StringComparison.Ordinal) && !StageSuffix().IsMatch(target))
        {
            throw new FormatException($"fault '{text}': '{target}' is neither an engine nor a stage of one (NAME, NAME.stt, NAME.llm or NAME.tts)");
        }

        var (kind, slowMs) = ParseKind(text, m.Groups["kind"].Value);
        var when = m.Groups["when"].Success ? ParseWhen(text, m.Groups["when"].Value)
            : kind is FaultKind.Refuse or FaultKind.Http5xx ? new FaultWhen(FaultMoment.Connect, 0, 0, TurnPoint.First)
            : new FaultWhen(FaultMoment.Turn, 2, 0, TurnPoint.First);
        if (when.Moment == FaultMoment.Connect && kind is not (FaultKind.Refuse or FaultKind.Http5xx or FaultKind.RateLimit))
        {
            throw new FormatException($"fault '{text}': only refuse, http5xx and ratelimit happen at connect");
        }

        if (when.Moment != FaultMoment.Connect && kind is FaultKind.Refuse or FaultKind.Http5xx)
        {
            throw new FormatException($"fault '{text}': {m.Groups["kind"].Value} is a connection fault; use @connect");
        }

        var spec = new FaultSpec(target, kind, slowMs, when);
        return StageProblem(spec) is { } problem ? throw new FormatException($"fault '{text}': {problem}") : spec;
    }

    public override string ToString() => $"{Target}:{KindName}@{When}";

    private string KindName => Kind == FaultKind.Slow ? $"slow:{SlowMs}" : KindText(Kind);

    private static string KindText(FaultKind kind) => kind switch
    {
        FaultKind.Slow => "slow:MS",
        FaultKind.Http5xx => "http5xx",
        FaultKind.RateLimit => "ratelimit",
        FaultKind.StallResponse => "stall-response",
        FaultKind.StallAudio => "stall-audio",
        FaultKind.EmptyTranscript => "empty-transcript",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// What a stage takes (docs/failover.md, "Faults on cascade stages"); null when the fault fits.
    /// The connection kinds fit every stage. A speech-to-text stage hears the caller
    /// (<c>userN[+MS]</c>) and serves final transcripts (<c>turnN</c> is its Nth: instead of it, or
    /// <c>@done</c> just after it). An LLM or TTS stage serves the agent's spoken responses
    /// (<c>turnN[@first|@done|+MS]</c>) over a request or connection of their own, so it never hears
    /// the caller and holds nothing open to fail at <c>Ns</c>. <c>empty-transcript</c> is
    /// speech-to-text's alone; <c>slow</c> and <c>stall-audio</c> are about a reply.
    /// </summary>
    private static string? StageProblem(FaultSpec spec)
    {
        var (stage, kind, when) = (spec.Stage, spec.Kind, spec.When);
        if (stage == FaultStage.None || when.Moment == FaultMoment.Connect)
        {
            return null;
        }

        var whole = kind is FaultKind.Slow or FaultKind.StallResponse or FaultKind.EmptyTranscript;
        if (stage == FaultStage.Stt)
        {
            return kind switch
            {
                FaultKind.Slow =>
                    "slow:MS delays an LLM's first token (NAME.llm) or a TTS's first audio (NAME.tts); a speech-to-text stage has no reply to slow",
                FaultKind.StallAudio =>
                    "stall-audio stops a reply midway: aim it at NAME.llm or NAME.tts (a speech-to-text stage stalls with stall-response: its transcript never comes)",
                _ when when.Moment == FaultMoment.Turn && when.Point == TurnPoint.Offset =>
                    "on a speech-to-text stage turnN is its Nth final transcript: use turnN (instead of it) or turnN@done (just after it); userN+MS strikes into an utterance",
                _ when whole && (when.Moment == FaultMoment.Seconds || when.OffsetMs > 0 || when.Point == TurnPoint.Done) =>
                    $"{KindText(kind)} acts on a whole transcript: use userN or turnN",
                _ => null,
            };
        }

        var name = stage == FaultStage.Llm ? "LLM (.llm)" : "text-to-speech (.tts)";
        return kind switch
        {
            FaultKind.EmptyTranscript => "empty-transcript is a speech-to-text fault: aim it at NAME.stt",
            _ when when.Moment == FaultMoment.User =>
                $"the {name} stage does not hear the caller: use turnN, turnN@done or turnN+MS (its Nth spoken response)",
            _ when when.Moment == FaultMoment.Seconds =>
                $"the {name} stage connects per response and holds nothing open to fail at a time: use turnN, turnN@done or turnN+MS",
            _ when whole && when.Point != TurnPoint.First => $"{KindText(kind)} acts on a whole reply: use turnN",
            FaultKind.StallAudio when when.Point == TurnPoint.Done => "stall-audio stops a reply midway: use turnN or turnN+MS",
            _ => null,
        };
    }

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

        int Number(string group) => !m.Groups[group].Success ? 0
            : int.TryParse(m.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new FormatException($"fault '{text}': '{m.Groups[group].Value}' is not a number of at most {int.MaxValue}");
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

    [GeneratedRegex(@"\.(?:stt|llm|tts)$")]
    private static partial Regex StageSuffix();

    [GeneratedRegex(@"^(?<target>[a-z0-9][a-z0-9\-()=,.]*):(?<kind>[a-z0-9\-]+(?::\d+)?)(?:@(?<when>\S+))?$")]
    private static partial Regex Grammar();

    [GeneratedRegex(@"^(?:(?<connect>connect)|user(?<user>\d+)(?:\+(?<uoff>\d+))?|turn(?<turn>\d+)(?:@(?<point>first|done)|\+(?<toff>\d+))?|(?<sec>\d+)s)$")]
    private static partial Regex WhenGrammar();
}
