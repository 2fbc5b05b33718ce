using System.CommandLine;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using VoiceBridge.Audit;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Health;
using VoiceBridge.Scale;

namespace VoiceBridge.Cli;

/// <summary>
/// <c>serve</c>'s scale-out options (docs/scale-out.md): the Redis the nodes share, this node's
/// name, and the key that encrypts conversation checkpoints at rest. Without <c>--redis</c> the node
/// keeps its state in memory: a lost Twilio stream still resumes on the same node.
/// </summary>
internal sealed class ScaleOutSettings
{
    public const string RedisVariable = "VOICEBRIDGE_REDIS";
    public const string KeyVariable = "VOICEBRIDGE_CHECKPOINT_KEY";
    public const string KeyFileVariable = "VOICEBRIDGE_CHECKPOINT_KEY_FILE";

    private readonly Option<string?> _redis = new("--redis")
    {
        Description = $"HOST:PORT of the Redis the nodes share: breakers and call checkpoints, for node-crash recovery of Twilio calls [{RedisVariable}; none: in memory, this node only]",
    };

    private readonly Option<string?> _key = new("--checkpoint-key")
    {
        Description = $"Base64 AES-256 key encrypting checkpoints at rest (openssl rand -base64 32); prefer {KeyVariable} or a secrets file named by {KeyFileVariable}, which ps does not show",
    };

    private readonly Option<bool> _plaintext = new("--checkpoint-plaintext") { Description = "Store checkpoints in Redis unencrypted (only for a Redis nobody else can read)" };

    private readonly Option<string?> _node = new("--node-name") { Description = "This node's name in checkpoints, breakers and resume events [HOSTNAME-PID]" };

    private string? _endpoint;
    private CheckpointCipher _cipher = CheckpointCipher.Plaintext;
    private string _nodeName = "";

    public void AddTo(Command command)
    {
        command.Options.Add(_redis);
        command.Options.Add(_key);
        command.Options.Add(_plaintext);
        command.Options.Add(_node);
    }

    /// <summary>Reads and checks the options; problems go to <paramref name="errors"/>.</summary>
    public void Read(ParseResult parse, List<string> errors)
    {
        _endpoint = parse.GetValue(_redis) ?? NullIfBlank(Environment.GetEnvironmentVariable(RedisVariable));
        _nodeName = parse.GetValue(_node) ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        string? keyText = parse.GetValue(_key) ?? NullIfBlank(Environment.GetEnvironmentVariable(KeyVariable));
        if (keyText is null && NullIfBlank(Environment.GetEnvironmentVariable(KeyFileVariable)) is { } keyFile)
        {
            try
            {
                keyText = File.ReadAllText(keyFile).Trim();
            }
            catch (IOException e)
            {
                errors.Add($"{KeyFileVariable}: cannot read {keyFile}: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                errors.Add($"{KeyFileVariable}: cannot read {keyFile}: {e.Message}");
            }
        }

        if (keyText is not null)
        {
            if (CheckpointCipher.TryParseKey(keyText, out var key, out var error))
            {
                _cipher = CheckpointCipher.WithKey(key);
            }
            else
            {
                errors.Add($"--checkpoint-key: {error}");
            }
        }
        else if (_endpoint is not null && !parse.GetValue(_plaintext))
        {
            errors.Add($"--redis stores call checkpoints (what callers said) outside the node: give a key to encrypt them (--checkpoint-key, {KeyVariable} or {KeyFileVariable}), or --checkpoint-plaintext");
        }
    }

    /// <summary>
    /// Connects the shared state (Redis, or memory) and attaches the node's breakers to it; null
    /// after printing why when Redis cannot be reached.
    /// </summary>
    public async Task<Running?> StartAsync(ProviderHealth health, ChainSpec chain, IAuditLog audit, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        IScaleOutState state;
        if (_endpoint is null)
        {
            state = new InMemoryScaleOutState(TimeProvider.System);
        }
        else
        {
            try
            {
                state = await RedisScaleOutState.ConnectAsync(_endpoint, _nodeName, TimeProvider.System, loggers.CreateLogger<RedisScaleOutState>());
            }
            catch (Exception e) when (e is RedisConnectionException or RedisException or ArgumentException)
            {
                Console.Error.WriteLine($"serve: configuration error: --redis {_endpoint}: {e.Message}");
                return null;
            }
        }

        var breakers = _endpoint is null
            ? null
            : await SharedBreakers.AttachAsync(health, state, _nodeName, chain.Engines.Select(e => e.Name), loggers.CreateLogger<SharedBreakers>(), cancellationToken);
        var checkpoints = new CallCheckpoints(state, _cipher, new CheckpointOptions(), _nodeName, audit, TimeProvider.System, loggers.CreateLogger<CallCheckpoints>());
        loggers.CreateLogger<ScaleOutSettings>().LogInformation(
            "Scale-out: node {Node}, state {Location}, breakers {Breakers}, checkpoints {Encryption}",
            _nodeName, state.Location, breakers is null ? "this node's own" : "shared", _cipher.Encrypts ? "encrypted (AES-256-GCM)" : "not encrypted");
        return new Running(state, checkpoints, breakers);
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>The node's shared state, checkpoints and shared breakers, stopped in order.</summary>
    internal sealed class Running(IScaleOutState state, CallCheckpoints checkpoints, SharedBreakers? breakers) : IAsyncDisposable
    {
        public CallCheckpoints Checkpoints => checkpoints;

        public async ValueTask DisposeAsync()
        {
            breakers?.Dispose();
            await checkpoints.DisposeAsync();
            await state.DisposeAsync();
        }
    }
}
