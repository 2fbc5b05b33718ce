using System.Text;
using Microsoft.Extensions.Configuration;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using VoiceBridge.Faults;

namespace VoiceBridge.Fuzzing;

public static partial class FuzzTargets
{
    private static readonly byte[][] SpecTokens = Utf8(":", "@", ".", ",", "|", "->", "(", ")", "=", "+", "primary", ".stt", ".llm", ".tts",
        "close", "slow:", "http5xx", "refuse", "turn", "user", "connect", "now", "@done", "@first", "s", "tier1:", "cascade(", "stt=", "llm=", "tts=",
        "openai-realtime", "azure-realtime", "local", "cascade-remote", "deepgram", "claude", "elevenlabs", " ", "\n", "#");

    private static FuzzTarget FaultSpecTarget() => new(
        "fault-spec",
        "FaultSpec.Parse (replay --fault, matrices, drills), DrillFault.TryParse (admin drills) and FaultMatrixFile.Parse (replay --faults FILE)",
        Utf8("primary:close@turn2", "local.stt:empty-transcript@user1", "secondary:slow:1500@turn1+250", "primary:http5xx", "openai-realtime:stall-audio@turn3@done",
            "primary:refuse@connect\nprimary:ratelimit@30s primary.llm:error@turn2 # comment\nnone\n", "primary:blackhole@now", "cascade-remote.tts:stall-response@user2+1000"),
        input =>
        {
            string text = Encoding.UTF8.GetString(input);
            try
            {
                _ = FaultSpec.Parse(text).ToString();
            }
            catch (FormatException)
            {
                // FaultSpec.Parse documents FormatException, naming the problem, for a bad spec.
            }

            _ = DrillFault.TryParse(text, liveCall: true, out _, out _);
            _ = DrillFault.TryParse(text, liveCall: false, out _, out _);
            _ = FaultMatrixFile.Parse(text, "fuzz");
        })
    {
        Dictionary = SpecTokens,
        MaxInputBytes = 4096,

        // Linear in the lines, about 250 bytes per input byte: each spec is matched, parsed twice (to find
        // duplicates) and a bad one costs an exception. A matrix file is at most 256 KiB and read once.
        MaxAllocatedBytes = 2 << 20,
    };

    private static FuzzTarget ChainSpecTarget() => new(
        "chain-spec",
        "ChainSpec.Parse (--chain, Engines config), ShadowMode.Parse (--shadow) and ChainSpec.ParseCosts (--cost NAME=USD)",
        Utf8("openai-realtime,local", "tier1: openai-realtime, azure-realtime | tier2: cascade-remote | tier3: local", "openai-realtime -> cascade(stt=deepgram,llm=claude,tts=elevenlabs) -> local",
            "cascade(stt=openai,llm=openai,tts=openai)", "openai-realtime=0.24\nlocal=0\ndeepgram=0.0043"),
        input =>
        {
            string text = Encoding.UTF8.GetString(input);
            try
            {
                _ = ChainSpec.Parse(text).Tiers;
            }
            catch (FormatException)
            {
                // ChainSpec.Parse documents FormatException naming the part and what is allowed.
            }

            try
            {
                _ = ShadowMode.Parse(text);
            }
            catch (FormatException)
            {
                // As ChainSpec.Parse, for the one shadow engine.
            }

            try
            {
                _ = ChainSpec.ParseCosts(text.Split('\n'));
            }
            catch (FormatException)
            {
                // ParseCosts documents FormatException naming the bad assignment.
            }
        })
    {
        Dictionary = SpecTokens,
        MaxInputBytes = 4096,
    };

    /// <summary>
    /// appsettings.json as <c>serve</c> and <c>replay</c> read it: the JSON configuration provider, then
    /// <see cref="Hosting.NodeSettings.Load"/> (the sections bound from configuration: Failover, ProviderHealth,
    /// Realtime; unknown keys refused) and their validation. Read from a stream, not the file (the file
    /// provider costs milliseconds per input); the file provider wraps what the stream provider throws for
    /// bad JSON (JsonException, FormatException for a duplicate key, InvalidOperationException for a bad
    /// string) into the InvalidDataException the CLI reports. The binder's rejection of a value of the wrong type
    /// (<see cref="InvalidOperationException"/>) becomes a FormatException naming the key.
    /// </summary>
    private static FuzzTarget Config() => new(
        "config",
        "appsettings.json -> JSON configuration provider -> NodeSettings.Load (binder, unknown keys, Validate)",
        Utf8(
            """{"Failover":{"ProviderSilenceWindowMs":500,"ResponseStallMs":2500,"AudioStallMs":1000,"SlowTurnMs":1500,"SlowTurnsInRow":3,"BadTurnsInRow":2,"MinSpeechForTranscriptMs":1000,"ClientErrorsToSwitch":3,"SessionLimits":{"openai-realtime":"00:60:00","azure-realtime":"00:30:00"},"SessionRotateBefore":"00:02:00","Filler":true,"WarmStandby":false}}""",
            """{"Failover":{"ResponseStallMs":"-1","SessionLimits":{"x":"1.00:00:00"},"WarmStandby":"true"},"Logging":{"LogLevel":{"Default":"Information"}}}"""),
        ParseConfig)
    {
        Dictionary = [.. JsonKeys, .. Utf8("\"Failover\":", "\"SessionLimits\":", "\"SessionRotateBefore\":", "\"00:00:00\"", "\"-00:00:01\"", "\"10675199.02:48:05.4775807\"")],
        MaxInputBytes = 16 * 1024,
    };

    private static void ParseConfig(ReadOnlySpan<byte> input)
    {
        IConfiguration configuration;
        try
        {
            using var stream = new MemoryStream(input.ToArray(), writable: false);
            configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return;
        }

        try
        {
            _ = Hosting.NodeSettings.Load(configuration);
        }
        catch (FormatException)
        {
            // The documented rejection: every bad key named.
        }
    }
}
