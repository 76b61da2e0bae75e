import type { Context } from '../context.ts';
import type { Incident } from '../db/index.ts';
import { createIncident, type Narrative, setNarrative } from '../incidents/index.ts';
import { DEMO_INCIDENT } from './story.ts';

/** The demo shop's story as its notices tell it, in each language its customers read. */
export const DEMO_NARRATIVES: Readonly<Record<string, Narrative>> = {
  en: {
    what_happened: [
      'An unauthorised person misused an order lookup page on our website, intended for customer support, to view the order details of other customers, including yours.',
    ],
    what_we_did: [
      'We stopped the misuse as soon as we discovered it and corrected the page so that it shows an order only to the customer who placed it.',
      'We have checked our other pages for similar weaknesses and strengthened the monitoring of our website, so that unusual activity is detected sooner.',
    ],
  },
  de: {
    what_happened: [
      'Eine unbefugte Person hat eine für unseren Kundenservice bestimmte Seite zur Bestellabfrage auf unserer Website missbraucht und damit Bestelldaten anderer Kundinnen und Kunden eingesehen – darunter auch Ihre.',
    ],
    what_we_did: [
      'Wir haben den Missbrauch unmittelbar nach seiner Entdeckung gestoppt und die Seite so korrigiert, dass sie eine Bestellung nur noch der Person anzeigt, die sie aufgegeben hat.',
      'Wir haben unsere übrigen Seiten auf ähnliche Schwachstellen überprüft und die Überwachung unserer Website verstärkt, damit ungewöhnliche Aktivitäten früher erkannt werden.',
    ],
  },
  es: {
    what_happened: [
      'Una persona no autorizada utilizó indebidamente una página de consulta de pedidos de nuestra web, destinada a nuestro servicio de atención al cliente, para ver los datos de pedidos de otros clientes, entre ellos los suyos.',
    ],
    what_we_did: [
      'Pusimos fin al uso indebido en cuanto lo descubrimos y corregimos la página para que cada pedido solo se muestre al cliente que lo realizó.',
      'Hemos revisado el resto de nuestras páginas en busca de fallos similares y hemos reforzado la supervisión de nuestra web para detectar antes cualquier actividad inusual.',
    ],
  },
  fr: {
    what_happened: [
      "Une personne non autorisée a détourné une page de recherche de commandes de notre site, destinée à notre service client, pour consulter les informations de commande d'autres clients, dont les vôtres.",
    ],
    what_we_did: [
      "Nous avons mis fin à cet accès dès sa découverte et corrigé la page afin qu'elle n'affiche une commande qu'au client qui l'a passée.",
      'Nous avons vérifié nos autres pages à la recherche de failles similaires et renforcé la surveillance de notre site, afin de détecter plus tôt toute activité inhabituelle.',
    ],
  },
  pt: {
    what_happened: [
      'Uma pessoa não autorizada usou indevidamente uma página de consulta de pedidos do nosso site, destinada ao nosso atendimento ao cliente, para ver os dados de pedidos de outros clientes, incluindo os seus.',
    ],
    what_we_did: [
      'Interrompemos o uso indevido assim que o descobrimos e corrigimos a página para que cada pedido seja mostrado apenas ao cliente que o fez.',
      'Verificamos as demais páginas do site em busca de falhas semelhantes e reforçamos o monitoramento do site, para detectar mais cedo qualquer atividade incomum.',
    ],
  },
  it: {
    what_happened: [
      'Una persona non autorizzata ha utilizzato in modo improprio una pagina di ricerca degli ordini del nostro sito, destinata al servizio clienti, per visualizzare i dati degli ordini di altri clienti, tra cui i Suoi.',
    ],
    what_we_did: [
      "Abbiamo bloccato l'uso improprio non appena lo abbiamo scoperto e abbiamo corretto la pagina, che ora mostra ciascun ordine soltanto al cliente che lo ha effettuato.",
      'Abbiamo verificato le altre pagine del sito alla ricerca di vulnerabilità simili e rafforzato il monitoraggio, per individuare più rapidamente eventuali attività anomale.',
    ],
  },
};

/** Opens the demo shop's incident with its story told in every language. */
export async function createDemoIncident(ctx: Context): Promise<Incident> {
  const incident = await createIncident(ctx, DEMO_INCIDENT);
  for (const [locale, narrative] of Object.entries(DEMO_NARRATIVES)) await setNarrative(ctx, incident.id, locale, narrative);
  return incident;
}
