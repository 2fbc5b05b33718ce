using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VoiceBridge.Hosting;
using VoiceBridge.Tests.Support;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Security;

/// <summary>
/// TLS on serve itself, as docs/security.md says: an <c>https://</c> URL and Kestrel's default
/// certificate from the environment (PEM files). Plain HTTP health and the Twilio media WebSocket
/// then answer over TLS with that certificate.
/// </summary>
[Trait("Category", "Interop")]
[Collection(RealTimeCollection.Name)]
public sealed class ServeTlsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Serve_answers_https_and_wss_with_the_certificate_from_kestrels_settings()
    {
        var dir = Directory.CreateTempSubdirectory("voicebridge-tls-").FullName;
        using var certificate = SelfSigned();
        File.WriteAllText(Path.Combine(dir, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "key.pem"), certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Certificates__Default__Path"] = Path.Combine(dir, "cert.pem"),
            ["Kestrel__Certificates__Default__KeyPath"] = Path.Combine(dir, "key.pem"),
        };

        await using var serve = await ServeProcess.StartAsync(output, "serve (tls)", ["--sip-listen", "off", "--whip-off", "--data-dir", dir], environment, scheme: "https");
        var presented = new List<string>();
        bool Check(X509Certificate? cert)
        {
            presented.Add(cert is null ? "none" : new X509Certificate2(cert).Thumbprint);
            return cert is not null && new X509Certificate2(cert).Thumbprint == certificate.Thumbprint;
        }

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => Check(cert) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        using var health = await http.GetAsync(new Uri(serve.BaseUri, "/health"));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);

        using var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => Check(cert);
        using var connectTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{serve.Port}{WebHosts.TwilioMediaPath}"), connectTimeout.Token);
        Assert.Equal(WebSocketState.Open, socket.State);
        socket.Abort();

        Assert.Equal([certificate.Thumbprint, certificate.Thumbprint], presented);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
