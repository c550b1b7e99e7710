import { readFileSync } from "node:fs";
import { minimalPdf } from "./minimal-pdf.js";

/**
 * Realistic RFP documents for the chunker and the rfp-response chain, in the shapes real
 * solicitations arrive in (see test/fixtures/rfp/): a Markdown RFQ with CRLF line endings,
 * numbered sections, pipe, HTML and pandoc (grid, simple, multiline) tables with requirements in
 * their cells, pandoc's heading attributes and fenced divs, bold labels,
 * list items without end punctuation and short sections; and a PDF whose pages repeat a header
 * and a "Page N of M" footer, with sentences that run across page breaks. Each comes with its
 * mandatory sentences as the document writes them (line breaks read as spaces).
 */

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/rfp/${name}`, import.meta.url), "utf8");

export interface RfpDocument {
  text: string;
  /** Every sentence, list item or cell that says shall or must, as written. */
  musts: string[];
}

export function facilitiesRfq(): RfpDocument {
  return {
    text: fixture("facilities-rfq.md"),
    musts: [
      "The contractor shall furnish all labor, supervision, tools, materials and equipment necessary to perform preventive maintenance of the facilities listed in Attachment 1.",
      "The contractor shall comply with all federal, state and local environmental regulations.",
      "The contractor shall inspect all air handling units quarterly",
      "Annual testing shall be performed in accordance with NFPA 72",
      "Each generator must be load tested for 2 hours every 12 months",
      "Service reports shall be submitted to the COR via email.*",
      "Work shall be performed between 0700 and 1530, Monday through Friday, excluding federal holidays.",
      "The contractor shall respond on site within 4 hours of notification of an emergency.",
      "A technician qualified on the failed system must be available by telephone 24 hours a day.",
      "The contractor shall submit a Quality Control Plan for approval",
      "The plan must name the on-site supervisor",
      "The report shall list all open work orders & their status.",
      "Offerors shall price each CLIN on the attached schedule.",
      "All rates shall be fully burdened, including overhead, general and administrative costs, and profit.",
      "All contractor personnel must pass a background check before access to the facility is granted.",
      "Contractor employees shall wear identification badges at all times while on the installation.",
      "Hazardous waste shall be disposed of in accordance with 40 CFR Part 262.",
      "Invoices shall be submitted electronically through the U.S. Department of the Treasury's Invoice Processing Platform.",
      "1. The invoice must include the contract number",
      "2. The invoice must include the CLIN and the period of performance",
      "Offerors must be registered in the System for Award Management at the time of quote submission.",
      "Quotes must be received no later than 2:00 p.m. Eastern Time on 16 March 2026.",
      "Quotes shall be submitted by email to the Contracting Officer.",
      "Space temperatures must stay between 68 and 76 F",
      "Failed exterior lights shall be replaced in 3 days",
      "Routine work orders shall be closed within 10 business days",
      "An emergency work order must be closed within 24 hours of the call",
    ],
  };
}

export const GROUNDS_HEADER = "RFQ 140P2126Q0017 | Grounds Maintenance Services";
const LINES_PER_PAGE = 18;

/** The grounds maintenance RFQ as a PDF: 18 lines of text a page between a running header and a "Page N of M" footer. */
export function groundsRfqPdf(): { pdf: Buffer; body: string[]; musts: string[] } {
  const body = fixture("grounds-rfq.txt").replace(/\r\n?/g, "\n").trimEnd().split("\n");
  const pageCount = Math.ceil(body.length / LINES_PER_PAGE);
  // minimalPdf writes Latin-1 bytes in Helvetica's standard encoding, where 0xB7 ("·" in
  // Latin-1) is the bullet: pdf.js reads it back as "•", as it does from real PDFs.
  const pages = Array.from({ length: pageCount }, (_, index) => [
    GROUNDS_HEADER,
    ...body.slice(index * LINES_PER_PAGE, (index + 1) * LINES_PER_PAGE).map((line) => line.replace(/•/g, "·")),
    `Page ${String(index + 1)} of ${String(pageCount)}`,
  ]);
  const musts = [
    "All work shall be performed at Fort Larned National Historic Site, 1767 KS Highway 156, Larned, Kansas.",
    "The contractor shall provide all personnel, equipment, tools, materials, supervision and other items necessary to perform mowing, trimming, leaf removal and snow removal as defined in this statement of work.",
    "Mowing shall be performed every 7 to 10 days during the growing season, from 15 April to 15 October.",
    "Grass shall be cut to a height of 3 inches, plus or minus one half inch.",
    "The contractor shall trim around all buildings, fences, signs, trees and historic structures at each mowing.",
    "Clippings shall not be discharged onto walkways, parking areas or historic structures",
    "Mowers must not be operated within 5 feet of the fort's sandstone walls",
    "The contractor shall remove all clippings from hard surfaces by the end of each work day.",
    "Leaves shall be removed from all lawn areas twice each fall, in late October and in late November.",
    "Leaves must be disposed of off site at the contractor's expense.",
    "Snow removal shall begin when accumulation reaches 2 inches.",
    "The contractor shall clear the parking lot, the entrance road and all visitor walkways within 4 hours after snowfall ends.",
    "Chemical de-icers must not be used on historic surfaces; sand is permitted.",
    "The contractor shall designate an on-site supervisor who speaks and reads English.",
    "The supervisor must be reachable by cell phone during all work hours.",
    "Contractor employees shall comply with all park rules and regulations, including those protecting cultural resources.",
    "Any artifacts discovered during work must be left in place and reported to the Contracting Officer's Representative immediately.",
    "The contractor shall comply with OSHA regulations at 29 CFR 1910 and 1926.",
    "Safety equipment, including eye and hearing protection, shall be worn by all employees operating power equipment.",
    "The contractor shall report any accident resulting in injury or property damage to the COR within 24 hours.",
    "Wage Determination No. 2015-5393, Revision 24, is incorporated into this solicitation, and the contractor shall pay employees no less than the wages and fringe benefits it lists.",
    "Deficient work shall be corrected within 2 business days of notification at no additional cost to the government.",
    "Invoices shall be submitted monthly in arrears through the U.S. Department of the Treasury's Invoice Processing Platform.",
    "Each invoice must identify the services performed and the dates of service.",
    "Offerors shall submit two past performance references for contracts of similar size and scope performed within the last five years.",
    "Quotations shall be submitted by email to the Contracting Officer no later than 3:00 p.m. Central Time on 20 February 2026.",
    "Questions must be submitted in writing at least 7 days before the closing date.",
  ];
  return { pdf: minimalPdf(pages), body, musts };
}
