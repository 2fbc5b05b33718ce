using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// A registrar on the in-memory network for registration tests: challenges REGISTER with digest
/// (the algorithms and status it is told to), checks the answer with its own hashing (not the
/// product's), keeps nc per nonce, grants a lifetime, and records what it received and sent.
/// </summary>
internal sealed class FakeRegistrar : IAsyncDisposable
{
    private readonly IDatagramSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receive;
    private readonly Dictionary<string, uint> _nonces = new(StringComparer.Ordinal);
    private readonly List<(SipMessage Request, int Status)> _exchanges = [];
    private int _nextNonce;

    public FakeRegistrar(IDatagramNetwork network, IPEndPoint at)
    {
        _socket = network.Bind(at);
        _receive = _socket.ReceiveAsync(OnDatagram, _stop.Token);
    }

    public string Realm { get; set; } = "trunk.test";

    public string Username { get; set; } = "1234";

    public string Password { get; set; } = "pw";

    /// <summary>The WWW-Authenticate algorithms offered, in order.</summary>
    public string[] Algorithms { get; set; } = ["MD5"];

    /// <summary>401 (WWW-Authenticate) or 407 (Proxy-Authenticate).</summary>
    public int ChallengeStatus { get; set; } = 401;

    public int GrantSeconds { get; set; } = 120;

    /// <summary>Answer 423 with this Min-Expires to any REGISTER asking for less.</summary>
    public int? MinExpires { get; set; }

    /// <summary>Drop every request (a registrar that is down).</summary>
    public bool Silent { get; set; }

    /// <summary>The next answer to a valid credential is 401 stale=true instead (once).</summary>
    public bool NextStale { get; set; }

    /// <summary>Every REGISTER received and the status it was answered with (0: not answered).</summary>
    public IReadOnlyList<(SipMessage Request, int Status)> Exchanges
    {
        get
        {
            lock (_exchanges)
            {
                return [.. _exchanges];
            }
        }
    }

    public int Count(int status) => Exchanges.Count(e => e.Status == status);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _socket.DisposeAsync();
        await _receive;
    }

    private static string Hash(string algorithm, string text) =>
        Convert.ToHexStringLower(algorithm == "SHA-256" ? SHA256.HashData(Encoding.UTF8.GetBytes(text)) : MD5.HashData(Encoding.UTF8.GetBytes(text)));

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var request = SipParser.Parse(datagram).Message;
        if (request is not { IsRequest: true } || Silent)
        {
            Record(request, 0);
            return;
        }

        var expires = int.Parse(request.Headers.Get("Expires") ?? "3600", CultureInfo.InvariantCulture);
        SipMessage response;
        if (MinExpires is { } min && expires > 0 && expires < min)
        {
            response = request.CreateResponse(423, "Interval Too Brief", "reg");
            response.Headers.Set("Min-Expires", min.ToString(CultureInfo.InvariantCulture));
        }
        else if (Check(request) is var verdict && verdict != "ok")
        {
            response = request.CreateResponse(ChallengeStatus, ChallengeStatus == 401 ? "Unauthorized" : "Proxy Authentication Required", "reg");
            var nonce = $"nonce{++_nextNonce}";
            _nonces[nonce] = 0;
            foreach (var algorithm in Algorithms)
            {
                var stale = verdict == "stale" ? ", stale=true" : "";
                response.Headers.Add(ChallengeStatus == 401 ? "WWW-Authenticate" : "Proxy-Authenticate", $"Digest realm=\"{Realm}\", nonce=\"{nonce}\", algorithm={algorithm}, qop=\"auth\"{stale}");
            }
        }
        else
        {
            response = request.CreateResponse(200, "OK", "reg");
            var granted = expires == 0 ? 0 : Math.Min(expires, GrantSeconds);
            response.Headers.Add("Contact", $"{request.Headers.Get("Contact")};expires={granted}");
        }

        Record(request, response.StatusCode);
        _socket.Send(response.ToBytes(), from);
    }

    /// <summary>"ok", "stale", or why the credentials are not good.</summary>
    private string Check(SipMessage request)
    {
        var header = request.Headers.Get(ChallengeStatus == 401 ? "Authorization" : "Proxy-Authorization");
        if (header is null)
        {
            return "none";
        }

        if (!SipDigestCredentials.TryParse(header, out var c, out var error))
        {
            return error!;
        }

        var algorithm = SipDigest.Name(c!.Algorithm);
        var ha1 = Hash(algorithm, $"{Username}:{Realm}:{Password}");
        var ha2 = Hash(algorithm, $"REGISTER:{request.RequestUri}");
        var expected = Hash(algorithm, $"{ha1}:{c.Nonce}:{c.NonceCount}:{c.Cnonce}:auth:{ha2}");
        var nc = uint.Parse(c.NonceCount!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (c.Username != Username || c.Realm != Realm || c.Uri != request.RequestUri || c.Response != expected || !_nonces.TryGetValue(c.Nonce, out var seen) || nc <= seen)
        {
            return "wrong";
        }

        _nonces[c.Nonce] = nc;
        if (NextStale)
        {
            NextStale = false;
            return "stale";
        }

        return "ok";
    }

    private void Record(SipMessage? request, int status)
    {
        if (request is not null)
        {
            lock (_exchanges)
            {
                _exchanges.Add((request, status));
            }
        }
    }
}
