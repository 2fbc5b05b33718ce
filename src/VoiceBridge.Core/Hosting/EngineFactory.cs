using Microsoft.Extensions.Logging;
using VoiceBridge.Audit;
using VoiceBridge.Call;
using VoiceBridge.Engines;
using Microsoft.Extensions.AI;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Engines.Cascade.Local;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Engines.Health;
using VoiceBridge.Engines.Realtime;
using VoiceBridge.Faults;
using VoiceBridge.Transport;

namespace VoiceBridge.Hosting;

/// <summary>
/// Builds the engines of a chain from their specs: where each provider is (real or simulated),
/// how to reach it (real or in-memory sockets) and the call clock. With a <see cref="Health"/>
/// (one per process, shared by every call) it also routes: tiers, costs and breakers decide where
/// a call starts, where it goes on a switch and when it fails back (docs/failover.md).
/// </summary>
public sealed class EngineFactory(
    ChainSpec chain,
    ProviderEndpoints endpoints,
    IWebSocketConnector connector,
    TimeProvider time,
    ILoggerFactory loggers) : IEngineChain
{
    public ChainSpec Chain => chain;

    public ProviderEndpoints Endpoints => endpoints;

    /// <summary>The chain as reports show it: simulated engines say so.</summary>
    public IReadOnlyList<string> Describe() =>
        [.. chain.Engines.Select(e => endpoints.IsSimulated(e) ? $"{e.Name} (simulated)" : e.Name)];

    public int Count => chain.Engines.Count;

    public string NameAt(int index) => chain.Engines[index].Name;

    public IAgentEngine Create(int index) => Create(chain.Engines[index]);

    /// <summary>
    /// An engine for call <paramref name="callId"/>: when its providers are simulated, every
    /// WebSocket it opens carries the call in <see cref="Simulator.SimulatorControl.CallHeader"/>,
    /// so a simulator serving concurrent calls gives each its own caller's transcripts. Real
    /// providers are not sent it.
    /// </summary>
    public IAgentEngine Create(int index, string callId) => Create(chain.Engines[index], callId);

    /// <summary>
    /// A shadow engine (docs/failover.md, "Shadow mode"), from this deployment's providers; when they
    /// are simulated, tagged with <see cref="ShadowMode.CallTag"/> so the simulators keep its
    /// transcripts apart from the active engine's.
    /// </summary>
    public IAgentEngine CreateShadow(EngineSpec engine, string callId) => Create(engine, ShadowMode.CallTag(callId));

    /// <summary>Where drills act on the node's calls (serve's admin API and drill schedule); null: no drills.</summary>
    public DrillInjector? Drills { get; set; }

    /// <summary>The chain as call <paramref name="callId"/> sees it: with <see cref="Drills"/>, a failure a drill caused stays out of the shared health.</summary>
    public IEngineChain ForCall(string callId) => Drills is { } drills ? new DrillCallChain(this, drills, callId) : this;

    /// <summary>The process's shared provider health; null: every engine is always available (no breakers, no failback).</summary>
    public ProviderHealth? Health { get; private set; }

    /// <summary>
    /// Gives the chain the process's shared provider health (once, at composition): its probe
    /// connects an engine of this chain and waits until it is ready (<see cref="ProbeAsync"/>), and
    /// each breaker change is recorded in <paramref name="audit"/> (kind <c>breaker</c>, no call).
    /// The caller disposes the health when the process stops (it stops the probes).
    /// </summary>
    public ProviderHealth AttachHealth(ProviderHealthOptions options, IAuditLog audit)
    {
        var health = new ProviderHealth(options, time, ProbeAsync, loggers.CreateLogger<ProviderHealth>());
        UseHealth(health, audit);
        return health;
    }

    /// <summary>Gives the chain a provider health built elsewhere (its own probe); breaker changes go to <paramref name="audit"/> when given.</summary>
    public void UseHealth(ProviderHealth health, IAuditLog? audit = null)
    {
        if (Health is not null)
        {
            throw new InvalidOperationException("the chain already has its provider health");
        }

        if (audit is not null)
        {
            health.BreakerChanged += change => audit.Record(change.ToAuditEvent());
        }

        Health = health;
    }

    public int TierOf(int index) => chain.Engines[index].Tier;

    public decimal CostOf(int index) => chain.Engines[index].CostPerMinute;

    public BreakerState StateOf(int index) => Health?.State(NameAt(index)) ?? BreakerState.Closed;

    public bool IsAvailable(int index) => Health?.IsAvailable(NameAt(index)) ?? true;

    public bool IsRecovered(int index) => Health?.Recovered(NameAt(index)) ?? false;

    public bool TryAdmit(int index) => Health?.TryAdmit(NameAt(index)) ?? true;

    public int? FirstAvailable() => ChainRouting.Select(this, _ => true);

    public int? NextAvailable(int current, IReadOnlySet<int> failedInThisCall) =>
        ChainRouting.Select(this, i => i != current && !failedInThisCall.Contains(i));

    public int? FailbackTarget(int current, TimeSpan dwell, IReadOnlySet<int> leftDegraded) => Health is { } health
        ? ChainRouting.Failback(this, current, dwell, health.Options, i => !leftDegraded.Contains(i) && health.ReadyForFailback(NameAt(i)))
        : null;

    public void ReportFailure(int index, string reason, TimeSpan? retryAfter = null) => Health?.ReportFailure(NameAt(index), reason, retryAfter);

    public void ReportSuccess(int index) => Health?.ReportSuccess(NameAt(index));

    /// <summary>
    /// The synthetic probe: creates the engine, starts it with an empty conversation and waits
    /// for it to be ready (true) or to fail (false: it closed, reported an error, or its start
    /// threw), then disposes it. The caller bounds it with <paramref name="cancellationToken"/>.
    /// </summary>
    private static readonly TimeSpan ProbePoll = TimeSpan.FromMilliseconds(10);

    public async Task<bool> ProbeAsync(string engine, CancellationToken cancellationToken)
    {
        var spec = chain.Engines.FirstOrDefault(e => e.Name == engine)
            ?? throw new ArgumentException($"'{engine}' is not an engine of the chain {chain}", nameof(engine));
        var events = new ProbeEvents();
        var instance = Create(spec);
        try
        {
            await instance.StartAsync(new EngineStart(0, new Conversation(""), [], events), cancellationToken);

            // Looked at on the clock, not awaited: a completion source's continuation hops through
            // the thread pool, and in virtual time the clock would run on meanwhile (ClockWait).
            await time.UntilAsync(() => events.Ready is not null, ProbePoll, TimeSpan.MaxValue, cancellationToken);
            return events.Ready!.Value;
        }
        finally
        {
            await instance.DisposeAsync();
        }
    }

    public IAgentEngine Create(EngineSpec spec) => Create(spec, null);

    private IAgentEngine Create(EngineSpec spec, string? callId)
    {
        var sockets = callId is not null && endpoints.IsSimulated(spec) ? new CallTaggedConnector(connector, callId) : connector;
        if (callId is not null && Drills is { } drills)
        {
            sockets = drills.Wrap(sockets, callId, spec.Name);
        }

        return spec.Kind switch
        {
            EngineKind.Realtime => new RealtimeEngine(endpoints.RealtimeFor(spec.Name), sockets, time, loggers.CreateLogger<RealtimeEngine>()),
            _ => new CascadeEngine(
                new CascadeEngineOptions { Name = spec.Name },
                () => Stages.SpeechToText(spec, SpeechToText(spec, sockets), callId),
                Stages.Chat(spec, Chat(spec)),
                Stages.TextToSpeech(spec, TextToSpeech(spec, sockets)),
                time,
                loggers.CreateLogger<CascadeEngine>()),
        };
    }

    private ISpeechToText SpeechToText(EngineSpec spec, IWebSocketConnector sockets) => spec.Stt switch
    {
        "pocketsphinx" => (endpoints.LocalSpeechToText ?? throw Missing(spec, "the local speech-to-text (pocketsphinx grammar)"))(),
        "deepgram" => new DeepgramSpeechToText(endpoints.Deepgram ?? throw Missing(spec, "Deepgram"), sockets, time, loggers.CreateLogger<DeepgramSpeechToText>()),
        "openai" => new OpenAiTranscriptionSpeechToText(
            endpoints.OpenAiTranscription ?? throw Missing(spec, "OpenAI transcription"), sockets, time, loggers.CreateLogger<OpenAiTranscriptionSpeechToText>()),
        _ => throw Missing(spec, $"speech-to-text '{spec.Stt}'"),
    };

    private IChatClient Chat(EngineSpec spec) => spec.Llm switch
    {
        "scripted" => new ScriptedDialogChatClient(time: time),
        "openai" when endpoints.OpenAiChat is { } chat => ChatClients.OpenAi(chat.Endpoint, chat.ApiKey, chat.Model, Http(spec), new ChatProviderOptions { Time = time }),
        "claude" when endpoints.AnthropicChat is { } chat => ChatClients.Anthropic(chat.Endpoint, chat.ApiKey, chat.Model, Http(spec), new ChatProviderOptions { Time = time }),
        _ => throw Missing(spec, $"chat '{spec.Llm}'"),
    };

    private ITextToSpeech TextToSpeech(EngineSpec spec, IWebSocketConnector sockets) => spec.Tts switch
    {
        "espeak" => new EspeakTextToSpeech(endpoints.LocalVoice),
        "elevenlabs" => new ElevenLabsTextToSpeech(endpoints.ElevenLabs ?? throw Missing(spec, "ElevenLabs"), sockets, time, loggers.CreateLogger<ElevenLabsTextToSpeech>()),
        "openai" => new OpenAiTextToSpeech(endpoints.OpenAiSpeech ?? throw Missing(spec, "OpenAI speech"), Http(spec), time, loggers.CreateLogger<OpenAiTextToSpeech>()),
        _ => throw Missing(spec, $"text-to-speech '{spec.Tts}'"),
    };

    /// <summary>What wraps each cascade stage as it is built (replay's fault injection); none by default.</summary>
    private ICascadeStageWrapper Stages => endpoints.Stages ?? ICascadeStageWrapper.None;

    private HttpClient Http(EngineSpec spec) => endpoints.Http ?? throw Missing(spec, "an HTTP client for its HTTP providers");

    private static InvalidOperationException Missing(EngineSpec spec, string what) =>
        new($"engine '{spec.Name}' needs {what}, which this deployment does not configure");

    /// <summary>Opens sockets as <paramref name="inner"/> does, each with the call's <see cref="Simulator.SimulatorControl.CallHeader"/> added.</summary>
    private sealed class CallTaggedConnector(IWebSocketConnector inner, string callId) : IWebSocketConnector
    {
        public Task<System.Net.WebSockets.WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
        {
            var tagged = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase) { [Simulator.SimulatorControl.CallHeader] = callId };
            return inner.ConnectAsync(uri, tagged, cancellationToken);
        }
    }

    /// <summary>What a probe listens for: ready, or the end of the session.</summary>
    private sealed class ProbeEvents : IEngineEvents
    {
        private int _state;

        /// <summary>Null until the engine is ready (true) or failed (false); the first of the two counts.</summary>
        public bool? Ready => Volatile.Read(ref _state) switch { 0 => null, 1 => true, _ => false };

        public ValueTask PostAsync(EngineEvent engineEvent)
        {
            switch (engineEvent.Kind)
            {
                case EngineEventKind.Ready:
                    Interlocked.CompareExchange(ref _state, 1, 0);
                    break;
                case EngineEventKind.Closed:
                case EngineEventKind.Error when engineEvent.Status != "client-error":
                    Interlocked.CompareExchange(ref _state, 2, 0);
                    break;
            }

            return ValueTask.CompletedTask;
        }
    }
}
